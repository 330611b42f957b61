#include "bots/dns_resolver.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <random>
#include <span>
#include <stdexcept>

namespace parley::bots {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr uint16_t kTypeA = 1, kTypeAAAA = 28;

uint16_t be16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

// Skips a (possibly compressed) name; returns the offset after it, or 0 on malformed input.
size_t skip_name(std::span<const uint8_t> b, size_t at) {
  for (int labels = 0; labels < 128 && at < b.size(); ++labels) {
    uint8_t len = b[at];
    if (len == 0) return at + 1;
    if ((len & 0xC0) == 0xC0) return at + 2 <= b.size() ? at + 2 : 0;  // a pointer ends the name
    if (len & 0xC0) return 0;
    at += 1 + len;
  }
  return 0;
}

}  // namespace

std::optional<DnsServer> parse_dns_server(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<DnsServer> {
    if (error) *error = why;
    return std::nullopt;
  };
  DnsServer s;
  if (text.empty()) return fail("empty DNS server");
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']' in the DNS server address");
    s.host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || rest.size() == 1) return fail("expected [address]:port");
      s.port = std::string(rest.substr(1));
    }
  } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
    s.host = std::string(text.substr(0, colon));
    s.port = std::string(text.substr(colon + 1));
  } else {
    s.host = std::string(text);  // a name, an IPv4 address, or a bare IPv6 address
  }
  if (s.host.empty()) return fail("empty DNS server host");
  if (s.port.empty() || s.port.size() > 5 || s.port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(s.port) == 0 || std::stoi(s.port) > 65535)
    return fail("DNS server port must be 1-65535");
  return s;
}

std::vector<uint8_t> dns_query(std::string_view name, uint16_t type, uint16_t id) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return {};
  std::vector<uint8_t> q{static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00,  // RD
                         0, 1, 0, 0, 0, 0, 0, 0};                                            // 1 question
  size_t at = 0;
  while (at <= name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string_view::npos) dot = name.size();
    size_t len = dot - at;
    if (len == 0 || len > 63) return {};
    q.push_back(static_cast<uint8_t>(len));
    q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(at), name.begin() + static_cast<std::ptrdiff_t>(dot));
    at = dot + 1;
  }
  q.push_back(0);
  q.insert(q.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 1});  // class IN
  return q;
}

std::optional<std::vector<asio::ip::address>> dns_parse_reply(std::span<const uint8_t> b, uint16_t id, bool* truncated) {
  if (b.size() < 12 || be16(b, 0) != id || !(b[2] & 0x80)) return std::nullopt;  // not our reply
  if (truncated) *truncated = (b[2] & 0x02) != 0;
  std::vector<asio::ip::address> out;
  if ((b[3] & 0x0F) != 0) return out;  // an error code (NXDOMAIN, SERVFAIL…): no address
  const uint16_t questions = be16(b, 4), answers = be16(b, 6);
  size_t at = 12;
  for (uint16_t i = 0; i < questions; ++i) {
    at = skip_name(b, at);
    if (at == 0 || at + 4 > b.size()) return std::nullopt;
    at += 4;
  }
  for (uint16_t i = 0; i < answers; ++i) {
    at = skip_name(b, at);
    if (at == 0 || at + 10 > b.size()) return std::nullopt;
    const uint16_t type = be16(b, at), klass = be16(b, at + 2), length = be16(b, at + 8);
    at += 10;
    if (at + length > b.size()) return std::nullopt;
    if (klass == 1 && type == kTypeA && length == 4) {
      asio::ip::address_v4::bytes_type a;
      std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 4, a.begin());
      out.emplace_back(asio::ip::address_v4(a));
    } else if (klass == 1 && type == kTypeAAAA && length == 16) {
      asio::ip::address_v6::bytes_type a;
      std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 16, a.begin());
      out.emplace_back(asio::ip::address_v6(a));
    }  // CNAMEs and others: the server has followed them; their targets' records come along
    at += length;
  }
  return out;
}

asio::awaitable<std::vector<asio::ip::address>> resolve_with(const DnsServer& server, std::string name, bool ipv6_only,
                                                             std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::udp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(server.host, server.port, asio::use_awaitable);
  if (endpoints.empty()) throw std::runtime_error("DNS server " + server.host + " not found");
  const asio::ip::udp::endpoint to = *endpoints.begin();
  asio::ip::udp::socket socket(executor, to.protocol());
  socket.connect(to);

  std::mt19937 rng(std::random_device{}());
  std::map<uint16_t, std::vector<uint8_t>> pending;  // by query id
  for (uint16_t type : ipv6_only ? std::vector<uint16_t>{kTypeAAAA} : std::vector<uint16_t>{kTypeA, kTypeAAAA}) {
    auto id = static_cast<uint16_t>(rng());
    while (pending.contains(id)) ++id;
    auto q = dns_query(name, type, id);
    if (q.empty()) throw std::runtime_error("'" + name.substr(0, 64) + "' is not a valid host name");
    pending[id] = std::move(q);
  }
  std::vector<asio::ip::address> v4, v6;
  asio::steady_timer timer(executor);
  std::vector<uint8_t> buffer(4096);
  for (int attempt = 0; attempt < 2 && !pending.empty(); ++attempt) {
    for (const auto& [id, q] : pending) co_await socket.async_send(asio::buffer(q), asio::use_awaitable);
    timer.expires_after(timeout / 2);
    while (!pending.empty()) {
      boost::system::error_code ec;
      auto result = co_await (socket.async_receive(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec)) ||
                              timer.async_wait(asio::use_awaitable));
      if (result.index() == 1) break;  // this try timed out
      if (ec) break;                   // e.g. ICMP port unreachable: try again
      const size_t n = std::get<0>(result);
      std::span<const uint8_t> reply(buffer.data(), n);
      if (n < 2) continue;
      auto it = pending.find(be16(reply, 0));
      if (it == pending.end()) continue;
      bool truncated = false;
      auto addresses = dns_parse_reply(reply, it->first, &truncated);
      if (!addresses) continue;  // not a reply to it: keep waiting
      pending.erase(it);
      for (auto& a : *addresses) (a.is_v4() ? v4 : v6).push_back(a);
    }
  }
  // IPv4 first, as the system resolver mostly orders them on hosts without IPv6 routes.
  v4.insert(v4.end(), v6.begin(), v6.end());
  if (v4.empty())
    throw std::runtime_error("DNS server " + server.host + ":" + server.port + " gave no address for " + name.substr(0, 64));
  co_return v4;
}

}  // namespace parley::bots
