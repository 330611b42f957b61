#include <gtest/gtest.h>

#include "accounts/turn_credentials.hpp"

using namespace parley::accounts;

TEST(TurnCredentials, CoturnRestSchemeUsernameExpiryAndHmacSha1) {
  TurnConfig config{"coturn-secret", {"turn:turn.example:3478", "turns:turn.example:5349"}, std::chrono::seconds(86400)};
  const auto c = issue_turn_credential(config, 1'700'000'000, "alice");
  EXPECT_EQ(c.username, "1700086400:alice");
  // python3: base64.b64encode(hmac.new(b'coturn-secret', b'1700086400:alice', hashlib.sha1).digest())
  EXPECT_EQ(c.credential, "NT1hplEEmvyWisLSzFQnFBascQA=");
  EXPECT_EQ(ice_servers_json(c),
            R"({"iceServers":[{"urls":["turn:turn.example:3478","turns:turn.example:5349"],"username":"1700086400:alice","credential":"NT1hplEEmvyWisLSzFQnFBascQA="}]})");
}
