#pragma once
// Loads KEY=VALUE lines from a .env file into the environment. Variables already set win.
#include <string>

namespace parley::app {

struct DotenvResult {
  bool found = false;
  int loaded = 0;
  std::string error;  // first malformed line, for a clear message
};

DotenvResult load_dotenv(const std::string& path);

}  // namespace parley::app
