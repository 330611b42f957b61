#include "app/dotenv.hpp"

#include <cstdlib>
#include <fstream>

namespace parley::app {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool valid_key(const std::string& k) {
  if (k.empty() || (k[0] >= '0' && k[0] <= '9')) return false;
  for (char c : k)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

DotenvResult load_dotenv(const std::string& path) {
  DotenvResult result;
  std::ifstream in(path);
  if (!in) return result;
  result.found = true;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    const std::string key = eq == std::string::npos ? "" : trim(line.substr(0, eq));
    if (!valid_key(key)) {
      if (result.error.empty()) result.error = path + ":" + std::to_string(number) + ": expected KEY=VALUE";
      continue;
    }
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string::npos) {
      value = trim(value.substr(0, hash));  // trailing comment on an unquoted value
    }
    if (::setenv(key.c_str(), value.c_str(), /*overwrite=*/0) == 0) ++result.loaded;
  }
  return result;
}

}  // namespace parley::app
