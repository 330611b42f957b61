#pragma once
// Command-line flags (and their PARLEY_* environment variables) of parley-server.
#include <cstdint>
#include <optional>
#include <string>

#include "accounts/accounts.hpp"
#include "accounts/turn_credentials.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/server_config.hpp"

namespace parley::app {

// The default of --management-listen (PROTOCOL.md §5).
inline constexpr const char* kDefaultManagementSocket = "/run/parley/management.sock";

struct ServerOptions {
  transport::ServerConfig server;
  signalling::SignallingLimits signalling;
  std::string log_level = "info";
  std::string env_file = ".env";
  std::string cookie_domain;
  std::string cookie_samesite = "Lax";
  bool cookie_secure = false;
  // Accounts (data dir, keys, sessions, logins), ready for accounts::Accounts.
  accounts::AccountsConfig accounts;
  // The management API's unix socket (§5); "" disables it.
  std::string management_listen = kDefaultManagementSocket;
  bool management_listen_default = true;  // not set by flag or environment
  // /metrics (docs/METRICS.md): on the main port only when `metrics` is set; with a
  // --metrics-listen address, there only (metrics_address empty = no listener of its own).
  bool metrics = false;
  std::string metrics_address;
  std::uint16_t metrics_port = 0;
  // TURN credentials at GET /ice-servers (--turn-secret-file, --turn-url, --turn-ttl); none without.
  std::optional<accounts::TurnConfig> turn;
  // --check-config: validate flags, environment, .env and the files they name, then exit.
  bool check_config = false;
};


// Parses argv. Returns the exit code to use when the program should stop (--help, bad flags).
std::optional<int> parse_server_options(int argc, char** argv, ServerOptions& out);

}  // namespace parley::app
