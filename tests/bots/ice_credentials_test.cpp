// The pure half of the bots' TURN credentials (issue 13): the endpoint derived from
// --ws-server, the expiry in the username, and the renewal and back-off schedule.
#include <gtest/gtest.h>

#include "bots/ice_credentials.hpp"

namespace parley::bots {
namespace {
using std::chrono::seconds;

TEST(IceCredentials, EndpointFromTheSignallingUrl) {
  EXPECT_EQ(derive_ice_servers_endpoint("wss://chat.example/api/ws"), "https://chat.example/api/ice-servers");
  EXPECT_EQ(derive_ice_servers_endpoint("ws://127.0.0.1:3001/ws"), "http://127.0.0.1:3001/ice-servers");
  EXPECT_EQ(derive_ice_servers_endpoint("wss://chat.example:8443/ws?x=1"), "https://chat.example:8443/ice-servers");
  EXPECT_EQ(derive_ice_servers_endpoint("ws://[::1]:3001/ws"), "http://[::1]:3001/ice-servers");
  EXPECT_EQ(derive_ice_servers_endpoint("wss://chat.example"), "https://chat.example/ice-servers");
  EXPECT_EQ(derive_ice_servers_endpoint("https://chat.example/ws"), "");
  EXPECT_EQ(derive_ice_servers_endpoint("not a url"), "");
}

TEST(IceCredentials, ExpiryFromTheUsername) {
  EXPECT_EQ(credential_expiry("1700000000:echo_bot"), 1700000000);
  EXPECT_EQ(credential_expiry("1700000000"), 1700000000);
  EXPECT_EQ(credential_expiry("echo_bot"), std::nullopt);
  EXPECT_EQ(credential_expiry("17x:echo_bot"), std::nullopt);
  EXPECT_EQ(credential_expiry(":echo_bot"), std::nullopt);
  EXPECT_EQ(credential_expiry(""), std::nullopt);
}

TEST(IceCredentials, RenewalAtHalfTheLifetimeAndAMinuteBeforeExpiryAtTheLatest) {
  const std::int64_t now = 1'700'000'000;
  EXPECT_EQ(refresh_delay(now, now + 86400), seconds(43200));  // 24 h: after 12 h
  EXPECT_EQ(refresh_delay(now, now + 600), seconds(300));      // --turn-ttl 10m: after 5 min
  EXPECT_EQ(refresh_delay(now, now + 100), seconds(40));       // half would be 50 s: 1 min before
  EXPECT_EQ(refresh_delay(now, now + 30), seconds(10));        // nearly gone: soon, not in a loop
  EXPECT_EQ(refresh_delay(now, now - 5), seconds(10));
  EXPECT_EQ(refresh_delay(now, std::nullopt), seconds(600));   // unreadable: every 10 minutes
}

TEST(IceCredentials, BackOffDoublesFromFiveSecondsToFiveMinutes) {
  EXPECT_EQ(retry_delay(1), seconds(5));
  EXPECT_EQ(retry_delay(2), seconds(10));
  EXPECT_EQ(retry_delay(3), seconds(20));
  EXPECT_EQ(retry_delay(6), seconds(160));
  EXPECT_EQ(retry_delay(7), seconds(300));
  EXPECT_EQ(retry_delay(1000), seconds(300));
}

TEST(IceCredentials, ParsesTheAnswerAndDropsExpiredEntries) {
  auto parsed = parse_ice_servers(
      R"({"iceServers":[{"urls":["turn:t.example:3478","turn:t.example:3478?transport=tcp"],)"
      R"("username":"1700000600:echo_bot","credential":"c2VjcmV0"},{"urls":"stun:s.example"},{"urls":[]}]})");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].server.urls.size(), 2u);
  EXPECT_EQ((*parsed)[0].server.username, "1700000600:echo_bot");
  EXPECT_EQ((*parsed)[0].server.credential, "c2VjcmV0");
  EXPECT_EQ((*parsed)[0].expires_s, 1700000600);
  EXPECT_EQ((*parsed)[1].server.urls, std::vector<std::string>{"stun:s.example"});
  EXPECT_EQ((*parsed)[1].expires_s, std::nullopt);
  EXPECT_EQ(unexpired(*parsed, 1700000599).size(), 2u);
  const auto later = unexpired(*parsed, 1700000600);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].urls[0], "stun:s.example");
  EXPECT_FALSE(parse_ice_servers("{}"));
  EXPECT_FALSE(parse_ice_servers("not json"));
}

}  // namespace
}  // namespace parley::bots
