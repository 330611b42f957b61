#pragma once
// Flags and environment of parley-bots (PROTOCOL.md §9.7).
#include <optional>
#include <string>
#include <vector>

#include "bots/bot_registry.hpp"
#include "bots/dns_resolver.hpp"
#include "peer/factory.hpp"
#include "peer/types.hpp"

namespace parley::app {

struct BotsOptions {
  std::string ws_server = "ws://localhost:3001/ws";
  std::vector<peer::IceServer> ice_servers;
  std::vector<std::string> custom_ca;
  // GET /ice-servers for bots with a token (--ice-servers-endpoint, resolved); "": not asked.
  std::string ice_servers_endpoint;
  std::chrono::milliseconds ping_period{3000};
  bool reconnect = true;
  std::chrono::milliseconds reconnect_delay{3000};
  std::vector<std::string> enabled_bots;  // empty: all
  bool debug = false;
  bool loopback_only = false;
  uint64_t sctp_receive_window_kib = peer::FactoryOptions::kDefaultSctpReceiveWindow / 1024;
  bool prefer_ipv6 = false;
  std::string custom_resolver;
  std::optional<bots::DnsServer> dns_server;  // parsed --custom-resolver
  uint64_t echo_max_file = 64ull << 20;
  int echo_max_transfers = 4;
  std::chrono::milliseconds peer_failed_grace{30000};              // §6.6
  std::optional<std::chrono::milliseconds> ice_failure_timeout;  // libwebrtc's default when unset
  std::string secret_env_file;
  std::string data_dir = "bots-data";  // each bot's DTLS certificate, <bot>.dtls.pem
  bots::BotSettings settings;
};

// Parses argv (after loading the env files). Returns an exit code when the process should stop
// (--help, a bad flag), nullopt to run.
std::optional<int> parse_bots_options(int argc, char** argv, BotsOptions& options);

}  // namespace parley::app
