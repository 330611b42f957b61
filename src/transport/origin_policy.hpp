#pragma once
// Which browser origins may open the WebSocket and get CORS headers (§2.1, §3.9).
#include <string>
#include <string_view>
#include <vector>

namespace parley::transport {

struct OriginPolicy {
  std::vector<std::string> allowed_origins;  // exact "scheme://host[:port]"
  bool allow_missing_origin = true;          // --default-cors-allowed

  // Listed in --allowed-origin (exact match after normalising case and default ports).
  bool is_allow_listed(std::string_view origin) const;
  // `Origin`'s host[:port] equals the Host header (ASCII case-insensitive; 80/443 count as absent).
  static bool is_same_origin(std::string_view origin, std::string_view host_header);
  // The WebSocket rule: no Origin → allow_missing_origin; else allow-listed or same-origin.
  bool accepts_websocket(std::string_view origin, bool origin_present, std::string_view host_header) const;
};

// "HTTP://Example.com:80" → "http://example.com"; returns "" if not an http(s) origin.
std::string normalise_origin(std::string_view origin);

}  // namespace parley::transport
