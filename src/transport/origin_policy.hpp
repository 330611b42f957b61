#pragma once
// Which browser origins may open the WebSocket and get CORS headers (§2.1, §3.9).
#include <string>
#include <string_view>
#include <vector>

namespace parley::transport {

struct OriginPolicy {
  std::vector<std::string> allowed_origins;  // exact "scheme://host[:port]"
  bool allow_missing_origin = true;          // --default-cors-allowed
  // --allowed-host: the names this server answers to (the Host header, port ignored). Empty:
  // any. The same-origin rule trusts Host, so a DNS-rebinding page (its own name resolving to
  // this server) would pass it; with names set, such a request is refused (421).
  std::vector<std::string> allowed_hosts;

  // Listed in --allowed-origin (exact match after normalising case and default ports).
  bool is_allow_listed(std::string_view origin) const;
  // `Origin`'s host[:port] equals the Host header (ASCII case-insensitive; 80/443 count as absent).
  static bool is_same_origin(std::string_view origin, std::string_view host_header);
  // The WebSocket rule: no Origin → allow_missing_origin; else allow-listed or same-origin.
  bool accepts_websocket(std::string_view origin, bool origin_present, std::string_view host_header) const;
  // The Host header names one of allowed_hosts (ASCII case-insensitive, any port), or none are set.
  bool host_allowed(std::string_view host_header) const;
};

// "HTTP://Example.com:80" → "http://example.com"; returns "" if not an http(s) origin.
std::string normalise_origin(std::string_view origin);
// "Chat.Example.com:3001" → "chat.example.com", "[::1]:80" → "[::1]"; "" if malformed.
std::string host_name_of(std::string_view host_header);

}  // namespace parley::transport
