// The origin rules of §2.1 and §3.9, and the Host check against DNS rebinding (issue 12, F9).
#include <gtest/gtest.h>

#include "transport/origin_policy.hpp"

using parley::transport::host_name_of;
using parley::transport::OriginPolicy;

TEST(OriginPolicy, SameOriginComparesHostAndPortLikeABrowser) {
  EXPECT_TRUE(OriginPolicy::is_same_origin("http://chat.example.com", "chat.example.com"));
  EXPECT_TRUE(OriginPolicy::is_same_origin("https://Chat.Example.com:443", "chat.example.com"));
  EXPECT_TRUE(OriginPolicy::is_same_origin("http://127.0.0.1:3001", "127.0.0.1:3001"));
  EXPECT_FALSE(OriginPolicy::is_same_origin("http://127.0.0.1:3001", "127.0.0.1:3002"));
  EXPECT_FALSE(OriginPolicy::is_same_origin("http://evil.example", "chat.example.com"));
  EXPECT_FALSE(OriginPolicy::is_same_origin("null", "chat.example.com"));
}

TEST(OriginPolicy, HostNamesDropThePortAndTheCase) {
  EXPECT_EQ(host_name_of("Chat.Example.com:3001"), "chat.example.com");
  EXPECT_EQ(host_name_of("chat.example.com."), "chat.example.com");
  EXPECT_EQ(host_name_of("[::1]:3001"), "[::1]");
  EXPECT_EQ(host_name_of("[::1]"), "[::1]");
  EXPECT_EQ(host_name_of("[::1"), "");
  EXPECT_EQ(host_name_of("[::1]x"), "");
  EXPECT_EQ(host_name_of(""), "");
}

TEST(OriginPolicy, WithoutAllowedHostsAnyHostIsServed) {
  OriginPolicy p;
  EXPECT_TRUE(p.host_allowed("rebind.attacker.example"));
  EXPECT_TRUE(p.host_allowed(""));
}

TEST(OriginPolicy, AllowedHostsRefuseEveryOtherName) {
  OriginPolicy p;
  p.allowed_hosts = {"chat.example.com", "LOCALHOST:3001", "[::1]"};
  EXPECT_TRUE(p.host_allowed("chat.example.com"));
  EXPECT_TRUE(p.host_allowed("Chat.Example.COM:8443"));
  EXPECT_TRUE(p.host_allowed("localhost"));
  EXPECT_TRUE(p.host_allowed("[::1]:3001"));
  // A DNS-rebinding page keeps its own name in Host although it resolves to this server.
  EXPECT_FALSE(p.host_allowed("rebind.attacker.example"));
  EXPECT_FALSE(p.host_allowed("chat.example.com.attacker.example"));
  EXPECT_FALSE(p.host_allowed("127.0.0.1"));
  EXPECT_FALSE(p.host_allowed(""));
  EXPECT_FALSE(p.host_allowed("[::1"));
}
