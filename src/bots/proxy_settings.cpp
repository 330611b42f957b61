#include "bots/proxy_settings.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace parley::bots {
namespace {

std::string env(const char* upper, const char* lower) {
  if (const char* v = std::getenv(upper); v && *v) return v;
  if (const char* v = std::getenv(lower); v && *v) return v;
  return {};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return std::string(host.substr(1, host.size() - 2));
  return std::string(host);
}

std::optional<boost::asio::ip::address> ip_of(std::string_view host) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(strip_brackets(host), ec);
  if (ec) return std::nullopt;
  return a;
}

std::vector<unsigned char> bytes_of(const boost::asio::ip::address& ip) {
  if (ip.is_v4()) {
    auto b = ip.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  auto b = ip.to_v6().to_bytes();
  return {b.begin(), b.end()};
}

// Whether `ip` lies in `cidr` ("10.0.0.0/8", "fd00::/8").
bool in_cidr(const boost::asio::ip::address& ip, std::string_view cidr) {
  auto slash = cidr.find('/');
  auto net = ip_of(cidr.substr(0, slash));
  if (!net || net->is_v4() != ip.is_v4()) return false;
  int bits = 0;
  try {
    bits = std::stoi(std::string(cidr.substr(slash + 1)));
  } catch (const std::exception&) {
    return false;
  }
  auto a = bytes_of(ip), b = bytes_of(*net);
  if (bits < 0 || static_cast<size_t>(bits) > a.size() * 8) return false;
  for (size_t i = 0; i < a.size() && bits > 0; ++i, bits -= 8) {
    unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

ProxySettings ProxySettings::from_environment() {
  return {env("HTTP_PROXY", "http_proxy"), env("HTTPS_PROXY", "https_proxy"), env("NO_PROXY", "no_proxy")};
}

bool bypasses_proxy(std::string_view no_proxy, std::string_view host_in, std::string_view port) {
  const std::string host = lower(strip_brackets(host_in));
  if (host == "localhost") return true;
  auto ip = ip_of(host);
  if (ip && ip->is_loopback()) return true;
  std::string list(no_proxy);
  for (auto& c : list)
    if (c == ' ') c = ',';
  size_t at = 0;
  while (at <= list.size()) {
    size_t end = list.find(',', at);
    if (end == std::string::npos) end = list.size();
    std::string entry = lower(list.substr(at, end - at));
    at = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.find('/') != std::string::npos) {
      if (ip && in_cidr(*ip, entry)) return true;
      continue;
    }
    // An optional :port ("host:port", "[::1]:80"); a bare IPv6 address has several colons.
    std::string entry_host = entry, entry_port;
    if (auto close = entry.rfind(']'); entry.front() == '[' && close != std::string::npos) {
      entry_host = entry.substr(1, close - 1);
      if (close + 1 < entry.size() && entry[close + 1] == ':') entry_port = entry.substr(close + 2);
    } else if (auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon) {
      entry_host = entry.substr(0, colon);
      entry_port = entry.substr(colon + 1);
    }
    if (!entry_port.empty() && entry_port != port) continue;
    if (auto entry_ip = ip_of(entry_host)) {
      if (ip && *ip == *entry_ip) return true;
      continue;
    }
    if (entry_host.front() == '.') {  // subdomains only
      if (host.size() > entry_host.size() && host.ends_with(entry_host)) return true;
      continue;
    }
    if (host == entry_host) return true;
    if (host.size() > entry_host.size() && host.ends_with(entry_host) && host[host.size() - entry_host.size() - 1] == '.')
      return true;
  }
  return false;
}

std::optional<ProxyEndpoint> ProxySettings::proxy_for(bool tls, std::string_view host, std::string_view port) const {
  const std::string& raw = tls ? https_proxy : http_proxy;
  if (raw.empty() || bypasses_proxy(no_proxy, host, port)) return std::nullopt;
  const std::string text = raw.find("://") == std::string::npos ? "http://" + raw : raw;
  const char* variable = tls ? "HTTPS_PROXY" : "HTTP_PROXY";
  auto url = boost::urls::parse_uri(text);
  if (!url || url->host_address().empty())
    throw std::invalid_argument(std::string(variable) + " is not a valid proxy URL");
  if (lower(url->scheme()) != "http")
    throw std::invalid_argument(std::string(variable) + ": only http:// proxies are supported, not " +
                                std::string(url->scheme()) + "://");
  ProxyEndpoint p;
  p.host = url->host_address();
  p.port = url->has_port() ? std::string(url->port()) : "80";
  p.display = "http://" + std::string(url->encoded_host_and_port());
  if (url->has_userinfo()) {
    std::string credentials = url->user() + ":" + url->password();  // percent-decoded
    std::string encoded(boost::beast::detail::base64::encoded_size(credentials.size()), '\0');
    encoded.resize(boost::beast::detail::base64::encode(encoded.data(), credentials.data(), credentials.size()));
    p.authorization = "Basic " + encoded;
  }
  return p;
}

}  // namespace parley::bots
