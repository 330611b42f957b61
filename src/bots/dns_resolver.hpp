// --custom-resolver (PROTOCOL.md §9.7): looks a host name up by asking one DNS server directly
// over UDP (A and AAAA records, or AAAA only with --prefer-ipv6), instead of the system resolver.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::bots {

struct DnsServer {
  std::string host;  // an IP address, or a name the system resolver knows
  std::string port = "53";
};

// "host", "host:port", "1.2.3.4:5353", "[::1]:53" or "::1". nullopt (and *error) if malformed.
std::optional<DnsServer> parse_dns_server(std::string_view text, std::string* error);

// The query for `name` and `type` (1 = A, 28 = AAAA) with id `id`, recursion desired; empty if
// the name is not a valid DNS name.
std::vector<uint8_t> dns_query(std::string_view name, uint16_t type, uint16_t id);
// The A/AAAA addresses in the answer section of a reply to query `id`; nullopt if the bytes are
// not such a reply. `truncated` is set when the server set TC.
std::optional<std::vector<boost::asio::ip::address>> dns_parse_reply(std::span<const uint8_t> reply, uint16_t id,
                                                                      bool* truncated = nullptr);

// Asks `server` (two tries within `timeout`). Throws std::runtime_error when no address comes.
boost::asio::awaitable<std::vector<boost::asio::ip::address>> resolve_with(const DnsServer& server, std::string name,
                                                                           bool ipv6_only,
                                                                           std::chrono::milliseconds timeout);

}  // namespace parley::bots
