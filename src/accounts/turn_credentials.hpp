#pragma once
// TURN credentials for coturn's `use-auth-secret` (its REST API scheme, PROTOCOL §3.11): the
// username is "<expiry unix s>:<who>", the credential the base64 HMAC-SHA1 of the username under
// the secret shared with coturn. coturn checks both itself; the server keeps no state.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::accounts {

struct TurnConfig {
  std::string secret;                // --turn-secret-file's content
  std::vector<std::string> urls;     // --turn-url: turn:… / turns:…
  std::chrono::seconds ttl{24 * 3600};  // --turn-ttl
};

struct TurnCredential {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

TurnCredential issue_turn_credential(const TurnConfig& config, std::int64_t now_unix_s, std::string_view who);

// `{"iceServers":[{"urls":[…],"username":…,"credential":…}]}`, what GET /ice-servers answers.
std::string ice_servers_json(const TurnCredential& credential);

}  // namespace parley::accounts
