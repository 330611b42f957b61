// client_address(): the key of the abuse penalties. The socket's address unless the peer is a
// trusted proxy; then the last X-Forwarded-For hop, or nothing (never penalised) without one.
#include <gtest/gtest.h>

#include "transport/client_address.hpp"

using boost::asio::ip::make_address;
using parley::transport::client_address;

namespace {
const std::vector<boost::asio::ip::address> kLoopbackProxies{make_address("127.0.0.1"), make_address("::1")};
}

TEST(ClientAddress, ThePeerUnlessItIsATrustedProxy) {
  EXPECT_EQ(client_address(make_address("192.0.2.7"), "", kLoopbackProxies), "192.0.2.7");
  EXPECT_EQ(client_address(make_address("192.0.2.7"), "198.51.100.1", kLoopbackProxies), "192.0.2.7");  // not a proxy
  EXPECT_EQ(client_address(make_address("::ffff:192.0.2.7"), "", kLoopbackProxies), "192.0.2.7");
  EXPECT_EQ(client_address(make_address("127.0.0.1"), "", kLoopbackProxies), "");
  EXPECT_EQ(client_address(make_address("::ffff:127.0.0.1"), "", kLoopbackProxies), "");
}

TEST(ClientAddress, TheLastForwardedHopFromAProxy) {
  EXPECT_EQ(client_address(make_address("127.0.0.1"), "198.51.100.1", kLoopbackProxies), "198.51.100.1");
  EXPECT_EQ(client_address(make_address("::1"), "10.0.0.1, 198.51.100.1 ", kLoopbackProxies), "198.51.100.1");
  EXPECT_EQ(client_address(make_address("127.0.0.1"), "198.51.100.1, junk", kLoopbackProxies), "");
  EXPECT_EQ(client_address(make_address("127.0.0.1"), std::string(100, '1'), kLoopbackProxies), "");
}

TEST(ClientAddress, IPv6ClientsAreKeyedByTheirSlash64) {
  const auto a = client_address(make_address("2001:db8:1:2:aaaa::1"), "", kLoopbackProxies);
  EXPECT_EQ(a, "2001:0db8:0001:0002::/64");
  EXPECT_EQ(client_address(make_address("2001:db8:1:2:bbbb::9"), "", kLoopbackProxies), a);
  EXPECT_NE(client_address(make_address("2001:db8:1:3::1"), "", kLoopbackProxies), a);
}

TEST(ClientAddress, TrustedProxyValuesAreParsedOnceAndABadOneIsNamed) {
  std::string bad;
  const auto ok = parley::transport::trusted_proxy_addresses({"::ffff:10.0.0.1", "fd00::1"}, bad);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0], make_address("10.0.0.1"));  // a mapped address is kept as IPv4
  EXPECT_EQ(client_address(make_address("10.0.0.1"), "198.51.100.9", *ok), "198.51.100.9");
  EXPECT_FALSE(parley::transport::trusted_proxy_addresses({"10.0.0.1", "proxy.lan"}, bad));
  EXPECT_EQ(bad, "proxy.lan");
}
