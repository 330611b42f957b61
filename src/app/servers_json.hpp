#pragma once
// The generated `/servers.json` (§10.1) when no --servers-json file is given.
#include <string>
#include <vector>

namespace parley::app {

struct LoginProvider {
  std::string name, kind, display_name, login_url;
};

struct ServersJsonConfig {
  std::string server_name = "Parley";
  std::string api_prefix = "/api";
  std::string ws_path = "/ws";
  std::vector<std::string> ice_servers;  // never empty in the output (§10.1)
  std::vector<LoginProvider> login_providers;
  bool allow_anonymous = true;
  std::string ice_servers_endpoint;  // `iceServersEndpoint` (§10.1) when TURN credentials are served
};

std::string render_servers_json(const ServersJsonConfig& config);

}  // namespace parley::app
