#pragma once
// `parley-server --check-config`: after the options parsed (flags, environment, .env, TLS files,
// --servers-json are checked there), look at the files and directories they name without
// starting anything and without changing anything on disk: no directory, database or lock is
// created, so it is safe to run beside a live server or before the first start.
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/server_options.hpp"

namespace parley::app {

struct ConfigCheck {
  std::vector<std::string> checked;   // what was looked at, with what was found
  std::vector<std::string> warnings;  // the server starts, but something is off (no web client)
  std::vector<std::string> problems;  // the server would refuse to start, or fail at once
};

ConfigCheck check_config_files(const ServerOptions& options);

// A secret or key file that must be a readable, non-empty regular file (`what` names the flag).
// For flags whose files are read at start only, e.g. a TURN secret.
void check_readable_file(ConfigCheck& check, const std::string& what, const std::filesystem::path& file);

// Prints the report (problems to `err`) and returns the exit code: 0 "configuration OK", 2 otherwise.
int print_config_check(const ConfigCheck& check, std::ostream& out, std::ostream& err);

}  // namespace parley::app
