#pragma once
// The TURN flags of parley-server (--turn-secret-file, --turn-url, --turn-ttl): declared on the
// CLI11 app, then checked and turned into the config of GET /ice-servers (PROTOCOL §3.11).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/server_options.hpp"

namespace parley::app {

struct TurnFlags {
  std::string secret_file;
  std::vector<std::string> urls;
  std::string ttl = "24h";
};

void add_turn_options(CLI::App& app, TurnFlags& flags);

// Fills out.turn when TURN is configured. Returns an error naming the flag: a secret file that is
// missing, unreadable or empty, a URL that is not turn:/turns:, a TTL out of range, or only half
// of the flags.
std::optional<std::string> finish_turn_options(const TurnFlags& flags, ServerOptions& out);

}  // namespace parley::app
