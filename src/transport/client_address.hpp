#pragma once
// Which client a connection is, for per-address abuse penalties: the socket's peer address, or,
// when the peer is a trusted reverse proxy, the last X-Forwarded-For hop it appended. IPv6
// clients are keyed by their /64 (one subscriber's usual allocation). Empty when the client cannot
// be told apart (a trusted proxy that sent no usable X-Forwarded-For): such connections are never
// made to wait, since the wait would fall on everyone behind the proxy.
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::transport {

std::string client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                           const std::vector<boost::asio::ip::address>& trusted_proxies);

// The --trusted-proxy values as addresses (IPv4-mapped IPv6 as IPv4); nullopt names the first
// one that is not an IP address in `bad`.
std::optional<std::vector<boost::asio::ip::address>> trusted_proxy_addresses(const std::vector<std::string>& values,
                                                                            std::string& bad);

}  // namespace parley::transport
