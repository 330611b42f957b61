#pragma once
// The security headers of the web client's files (Content-Security-Policy and friends), built
// once at start from the configured servers, never per request.
#include <string>
#include <string_view>
#include <vector>

namespace parley::transport {

// The origins the page may reach besides its own: those of the configured signalling servers.
struct ServerOrigins {
  std::vector<std::string> http;     // "https://host[:port]" (and http), for fetch and avatars
  std::vector<std::string> ws;       // "wss://host[:port]" (and ws), for the WebSocket
  std::vector<std::string> skipped;  // URLs left out: not a clean absolute http(s)/ws(s) URL
};

// The `url`, `apiPrefix` and `iceServersEndpoint` of each entry of a /servers.json body (§10.1);
// nothing when it is not a JSON array.
std::vector<std::string> servers_json_urls(std::string_view servers_json);

// Each absolute http(s) or ws(s) URL gives its origin in both forms (https <-> wss, http <-> ws):
// a server's API and WebSocket share a host. Relative URLs are the page's own origin ('self') and
// are not listed. Anything that is not a plain host name or IP literal with an optional port
// (user info, wildcards, quotes, ';', ',', spaces, control or non-ASCII characters) is skipped,
// so no configured text can add a directive or a source to the policy.
ServerOrigins server_origins(const std::vector<std::string>& urls);

// The Content-Security-Policy value: only the page's own scripts, no inline script or eval,
// connections to its own origin and `servers`, and no framing.
std::string content_security_policy(const ServerOrigins& servers);

struct HeaderField {
  std::string name, value;
};

// Every header the static files carry: the policy above, Permissions-Policy, COOP, CORP,
// nosniff, no referrer, no framing, and HSTS when `hsts` (only for a server that terminates TLS).
std::vector<HeaderField> security_headers(const std::string& content_security_policy, bool hsts);

// Whether a browser gives a page from this request a secure context: https (`tls` here, or a
// proxy's `X-Forwarded-Proto: https`) or a loopback host (localhost, *.localhost, 127.0.0.0/8,
// [::1]). A LAN page such as http://192.168.1.10:3001/ is not one.
bool potentially_trustworthy(std::string_view host_header, std::string_view forwarded_proto, bool tls);

// Headers a browser honours only in a secure context (Cross-Origin-Opener-Policy). Elsewhere it
// ignores them and logs an error on every page load, so they are left out there.
bool secure_context_only(std::string_view header_name);

// The headers for a server that talks to no other signalling server and has no TLS.
std::vector<HeaderField> default_security_headers();

}  // namespace parley::transport
