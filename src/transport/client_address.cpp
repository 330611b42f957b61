#include "transport/client_address.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace parley::transport {
namespace {

namespace ip = boost::asio::ip;

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::string key_of(const ip::address& a) {
  if (a.is_v4()) return a.to_string();
  const auto b = a.to_v6().to_bytes();
  std::array<char, 32> out{};
  std::snprintf(out.data(), out.size(), "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4],
                b[5], b[6], b[7]);
  return out.data();
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::vector<ip::address>> trusted_proxy_addresses(const std::vector<std::string>& values, std::string& bad) {
  std::vector<ip::address> out;
  for (const auto& v : values) {
    boost::system::error_code ec;
    const auto a = ip::make_address(v, ec);
    if (ec) {
      bad = v;
      return std::nullopt;
    }
    out.push_back(unmapped(a));
  }
  return out;
}

std::string client_address(const ip::address& peer, std::string_view forwarded_for,
                           const std::vector<ip::address>& trusted_proxies) {
  const auto from = unmapped(peer);
  const bool trusted = std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                                   [&](const ip::address& t) { return unmapped(t) == from; });
  if (!trusted) return key_of(from);
  // The proxy appends the address it saw last; anything before it came from the client.
  const auto comma = forwarded_for.rfind(',');
  const auto hop = trimmed(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
  if (hop.empty() || hop.size() > 64) return {};
  boost::system::error_code ec;
  const auto client = ip::make_address(std::string(hop), ec);
  return ec ? std::string() : key_of(unmapped(client));
}

}  // namespace parley::transport
