#include "transport/security_headers.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

#include "protocol/ascii.hpp"
#include "transport/origin_policy.hpp"

namespace parley::transport {

namespace {

bool ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters that could end a source or a directive, quote a keyword, or hide one.
bool hostile_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u >= 0x7f || c == ';' || c == ',' || c == '\'' || c == '"' || c == '\\';
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {  // IPv6 literal
    if (host.size() < 4 || host.back() != ']') return false;
    return std::all_of(host.begin() + 1, host.end() - 1,
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
  }
  if (host.front() == '.' || host.front() == '-' || host.back() == '-') return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return ascii_alnum(c) || c == '-' || c == '.'; });
}

struct Origin {
  bool secure;
  std::string authority;  // lower-case host, ":port" unless the scheme's default
};

std::optional<Origin> parse_origin(std::string_view url) {
  if (std::any_of(url.begin(), url.end(), hostile_char)) return std::nullopt;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme;
  for (char c : url.substr(0, sep)) scheme += ascii_lower(c);
  bool secure;
  if (scheme == "https" || scheme == "wss") secure = true;
  else if (scheme == "http" || scheme == "ws") secure = false;
  else return std::nullopt;
  auto rest = url.substr(sep + 3);
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  // The port follows the last ':' that is not inside an IPv6 literal.
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  const auto host = has_port ? authority.substr(0, colon) : authority;
  if (!valid_host(host)) return std::nullopt;
  Origin o{secure, {}};
  for (char c : host) o.authority += ascii_lower(c);
  if (has_port) {
    const auto port_text = authority.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return std::nullopt;
    if (port != (secure ? 443 : 80)) o.authority += ":" + std::to_string(port);
  }
  return o;
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::string with_sources(std::string directive, const std::vector<std::string>& sources) {
  for (const auto& s : sources) directive += " " + s;
  return directive;
}

}  // namespace

std::vector<std::string> servers_json_urls(std::string_view servers_json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(servers_json, ec);
  if (ec || !parsed.is_array()) return out;
  for (const auto& entry : parsed.as_array()) {
    if (!entry.is_object()) continue;
    for (const char* key : {"url", "apiPrefix", "iceServersEndpoint"})
      if (const auto* v = entry.as_object().if_contains(key); v && v->is_string()) out.emplace_back(v->as_string());
  }
  return out;
}

ServerOrigins server_origins(const std::vector<std::string>& urls) {
  ServerOrigins out;
  for (const auto& url : urls) {
    if (url.empty() || url.front() == '/') continue;  // the page's own origin
    const auto origin = parse_origin(url);
    if (!origin) {
      out.skipped.push_back(url);
      continue;
    }
    add_unique(out.http, (origin->secure ? "https://" : "http://") + origin->authority);
    add_unique(out.ws, (origin->secure ? "wss://" : "ws://") + origin->authority);
  }
  return out;
}

std::string content_security_policy(const ServerOrigins& servers) {
  std::vector<std::string> connect = servers.http;
  connect.insert(connect.end(), servers.ws.begin(), servers.ws.end());
  const std::vector<std::string> directives{
      // Nothing that is not listed below: no fonts (the system font stack), frames, manifest or plugins.
      "default-src 'none'",
      // The bundle from /assets only: no inline script, no eval. 'wasm-unsafe-eval' lets the file
      // hashing worker (hash-wasm) compile its WebAssembly; it does not allow eval of JavaScript.
      "script-src 'self' 'wasm-unsafe-eval'",
      // Emotion (MUI) inserts empty <style> elements and fills them through CSSOM insertRule.
      // The hash is that of the empty string: an injected <style> with any content is refused.
      "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
      // Avatars from /profile/avatar (here or on a configured server), data: thumbnails and the
      // favicon, blob: previews of received images.
      with_sources("img-src 'self' data: blob:", servers.http),
      // Received videos play from blob: URLs (MusicBot audio is a MediaStream: not a fetch).
      "media-src blob:",
      // /servers.json, the API and the WebSocket ('self' covers ws(s) of the same host), and the
      // configured servers' API and WebSocket origins.
      with_sources("connect-src 'self'", connect),
      // The SHA-256 worker from /assets.
      "worker-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      // The app has no forms that post anywhere; logins are navigations (location.assign).
      "form-action 'self'",
      "frame-ancestors 'none'",
  };
  std::string policy;
  for (const auto& d : directives) policy += (policy.empty() ? "" : "; ") + d;
  return policy;
}

std::vector<HeaderField> security_headers(const std::string& csp, bool hsts) {
  std::vector<HeaderField> h{
      {"Content-Security-Policy", csp},
      // Features the app never uses. Left at their defaults: autoplay (the muted <audio> of a bot
      // stream), fullscreen and picture-in-picture (video controls).
      {"Permissions-Policy",
       "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), "
       "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
       "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"},
      // Logins are full-page redirects, not popups, so no opener is needed across origins.
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},  // frame-ancestors for browsers without CSP level 2
  };
  if (hsts) h.push_back({"Strict-Transport-Security", "max-age=31536000"});
  return h;
}

bool potentially_trustworthy(std::string_view host_header, std::string_view forwarded_proto, bool tls) {
  if (tls || protocol::ascii_iequals(forwarded_proto, "https")) return true;
  const std::string name = host_name_of(host_header);
  if (name == "localhost" || name.ends_with(".localhost") || name == "[::1]") return true;
  if (!name.starts_with("127.")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool secure_context_only(std::string_view header_name) {
  return protocol::ascii_iequals(header_name, "Cross-Origin-Opener-Policy");
}

std::vector<HeaderField> default_security_headers() {
  return security_headers(content_security_policy({}), false);
}

}  // namespace parley::transport
