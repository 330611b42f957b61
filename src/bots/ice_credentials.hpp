// TURN credentials from parley-server's GET /ice-servers (issue 13): where to ask, what the
// answer means, and when to ask again. Pure functions; IceCredentialFetcher does the asking.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "peer/types.hpp"

namespace parley::bots {

// --ice-servers-endpoint auto: ws -> http, wss -> https, same host:port, the path's last
// segment (`ws`) replaced by `ice-servers`, query dropped. "" when `ws_url` is not ws(s)://.
std::string derive_ice_servers_endpoint(std::string_view ws_url);

// One fetched entry and the expiry read from its username ("<expiry unix s>:<who>").
struct FetchedIceServer {
  peer::IceServer server;
  std::optional<std::int64_t> expires_s;
};

// The `iceServers` of an answer; nullopt when the body is not that shape.
std::optional<std::vector<FetchedIceServer>> parse_ice_servers(std::string_view body);

// coturn's REST scheme: the username is "<expiry>:<who>" (or just "<expiry>").
std::optional<std::int64_t> credential_expiry(std::string_view username);

// When to fetch again after a success: half the remaining lifetime, but never later than one
// minute before expiry and never sooner than 10 s (the server allows one per 6 s); every
// 10 minutes when no expiry could be read.
std::chrono::seconds refresh_delay(std::int64_t now_s, std::optional<std::int64_t> expires_s);

// Back-off after `failures` failed attempts in a row (1, 2, …): 5 s doubling up to 5 minutes.
std::chrono::seconds retry_delay(int failures);

// The entries still good at `now_s` (no readable expiry: kept until replaced).
std::vector<peer::IceServer> unexpired(const std::vector<FetchedIceServer>& fetched, std::int64_t now_s);

}  // namespace parley::bots
