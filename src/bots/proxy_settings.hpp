// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (PROTOCOL.md §9.7), with the rules of the original bots'
// Go runtime: upper case wins over lower case; ws:// goes through HTTP_PROXY and wss:// through
// HTTPS_PROXY; localhost and loopback addresses never use a proxy; NO_PROXY is a comma (or
// space) separated list of "*", IP addresses, CIDR ranges and host names with an optional port,
// where "example.com" matches it and its subdomains and ".example.com" its subdomains only.
// Only http:// proxies are supported (a proxy URL without a scheme is http://).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::bots {

struct ProxyEndpoint {
  std::string host;
  std::string port;
  std::string authorization;  // "Basic …" from the URL's user info, or ""; never logged
  std::string display;        // scheme://host:port, without credentials, for logs
};

struct ProxySettings {
  std::string http_proxy, https_proxy, no_proxy;

  static ProxySettings from_environment();
  // The proxy to reach host:port over ws (tls=false) or wss (tls=true); nullopt: dial directly.
  // Throws std::invalid_argument for a proxy URL that cannot be used (message has no secret).
  std::optional<ProxyEndpoint> proxy_for(bool tls, std::string_view host, std::string_view port) const;
};

// Whether NO_PROXY (or the loopback rule) exempts host:port from the proxy.
bool bypasses_proxy(std::string_view no_proxy, std::string_view host, std::string_view port);

}  // namespace parley::bots
