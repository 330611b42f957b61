#pragma once
// Command-line flags (and their PARLEY_* environment variables) of parley-server.
#include <optional>
#include <string>

#include "core/signalling_service.hpp"
#include "transport/server_config.hpp"

namespace parley::app {

struct ServerOptions {
  transport::ServerConfig server;
  core::SignallingLimits signalling;
  std::string log_level = "info";
  std::string env_file = ".env";
  // Parsed now, used by the accounts layer.
  std::string cookie_domain;
  std::string cookie_samesite = "Lax";
  bool cookie_secure = false;
};

// Parses argv. Returns the exit code to use when the program should stop (--help, bad flags).
std::optional<int> parse_server_options(int argc, char** argv, ServerOptions& out);

}  // namespace parley::app
