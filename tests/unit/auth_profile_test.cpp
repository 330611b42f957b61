// ProfileApi and the reserved-name / username rules over real SQLite.
#include <gtest/gtest.h>

#include "auth_test_support.hpp"
#include "accounts/account_names.hpp"
#include "accounts/http/profile_api.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
using parley::signalling::Authentication;
using parley::storage::SqliteStorage;
using parley::storage::User;
using parley::test::TempDir;

namespace {

class AuthProfile : public ::testing::Test {
 protected:
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  ProfileApi api{storage};
  User alice, bot;
  void SetUp() override {
    alice.id = "u1";
    alice.username = "Alice";
    alice.display_name = "Alice A.";
    alice.avatar_url = "https://avatars.example/alice";
    bot.id = "b1";
    bot.username = "echo_bot";
    bot.is_bot = true;
    ASSERT_EQ(storage.insert_user(alice), parley::storage::InsertUserResult::ok);
    ASSERT_EQ(storage.insert_user(bot), parley::storage::InsertUserResult::ok);
  }
  Caller as(const User& u) {
    Caller c;
    c.identity.authentication = Authentication::session;
    c.identity.user_id = u.id;
    c.identity.username = u.username;
    c.user = u;
    return c;
  }
};

}  // namespace

TEST_F(AuthProfile, OwnProfileAndStatus) {
  auto r = api.profile(as(alice), {});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"username":"Alice","displayName":"Alice A.","avatarURL":"https://avatars.example/alice"})");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  r = api.profile(Caller{}, {});
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body, R"({"err":"Unauthorized"})");
  EXPECT_EQ(api.status(as(alice)).body, R"({"logged_in":true})");
  EXPECT_EQ(api.status(Caller{}).body, R"({"logged_in":false})");
}

TEST_F(AuthProfile, ByUsernameIsPublicAndCaseInsensitive) {
  auto r = api.profile(Caller{}, parse_query("username=echo_bot"));
  EXPECT_EQ(r.body, R"({"username":"echo_bot"})");  // empty values omitted
  EXPECT_EQ(api.profile(Caller{}, parse_query("username=ALICE")).status, 200u);
  r = api.profile(as(alice), parse_query("username=nobody"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"err":"User is not found"})");
  // An empty username counts as absent.
  EXPECT_EQ(api.profile(as(alice), parse_query("username=")).status, 200u);
  EXPECT_EQ(api.profile(Caller{}, parse_query("username=%27%20OR%201%3D1")).status, 404u);
  EXPECT_EQ(api.profile(Caller{}, QueryParams{{"username", std::string(100000, 'a')}}).status, 404u);
}

TEST_F(AuthProfile, AvatarPlans) {
  auto plan = api.avatar(Caller{}, parse_query("username=alice"));
  EXPECT_FALSE(plan.reply);
  EXPECT_EQ(plan.remote_url, "https://avatars.example/alice");
  plan = api.avatar(Caller{}, parse_query("username=echo_bot"));
  ASSERT_TRUE(plan.reply);
  EXPECT_EQ(plan.reply->status, 404u);
  EXPECT_EQ(plan.reply->body, R"({"err":"No avatar URL found"})");
  EXPECT_EQ(api.avatar(Caller{}, {}).reply->status, 401u);
  EXPECT_EQ(api.avatar(Caller{}, parse_query("username=x")).reply->status, 404u);
  storage.update_user_profile("b1", "", "data:image/png;base64," + base64_encode("PNG"));
  plan = api.avatar(as(*storage.user_by_id("b1")), {});
  ASSERT_TRUE(plan.reply);
  EXPECT_EQ(plan.reply->status, 200u);
  EXPECT_EQ(plan.reply->content_type, "image/png");
  EXPECT_EQ(plan.reply->body, "PNG");
  // A legacy SVG avatar stored before validation existed is refused, never served.
  storage.update_user_profile("b1", "", "data:image/svg+xml;base64,PHN2Zz4=");
  EXPECT_EQ(api.avatar(as(*storage.user_by_id("b1")), {}).reply->status, 400u);
}

TEST_F(AuthProfile, ReservedNames) {
  AccountReservedNames names(storage);
  EXPECT_TRUE(names.reserved_for_other("alice", ""));
  EXPECT_TRUE(names.reserved_for_other("ECHO_BOT", ""));
  EXPECT_TRUE(names.reserved_for_other("echo_bot", "Alice"));  // alice may not use the bot's name
  EXPECT_FALSE(names.reserved_for_other("echo_bot", "echo_bot"));  // its own
  EXPECT_FALSE(names.reserved_for_other("ALICE", "alice"));
  // Through the core's name policy: the first free variant.
  EXPECT_EQ(parley::signalling::avoid_reserved("Echo_Bot", "", names), "Echo_Bot-2");
  EXPECT_FALSE(names.reserved_for_other("alice-2", ""));
  EXPECT_FALSE(names.reserved_for_other("", ""));
  EXPECT_FALSE(names.reserved_for_other("\xc3\x81lice", ""));  // only ASCII folds
}

TEST(AuthNames, BotUsernamePattern) {
  for (const char* ok : {"a", "echo_bot", "A.b-c_d", "0", "x123456789012345678901234567890123456789012345678901234567890123"})
    EXPECT_TRUE(valid_bot_username(ok)) << ok;
  for (std::string bad : {std::string(""), std::string("_a"), std::string(".a"), std::string("a b"), std::string("a/b"),
                          std::string("é"), std::string(65, 'a'), std::string("a\0b", 3)})
    EXPECT_FALSE(valid_bot_username(bad)) << bad;
}

TEST(AuthNames, LoginUsernamesAndDisplayNames) {
  EXPECT_TRUE(acceptable_login_username("FOO-MNT"));
  EXPECT_TRUE(acceptable_login_username("Jürgen"));
  EXPECT_FALSE(acceptable_login_username(""));
  EXPECT_FALSE(acceptable_login_username(" x"));
  EXPECT_FALSE(acceptable_login_username("a\u202eb"));
  EXPECT_FALSE(acceptable_login_username("\xff"));
  EXPECT_FALSE(acceptable_login_username(std::string(65, 'a')));
  EXPECT_FALSE(display_name_problem(""));
  EXPECT_EQ(display_name_problem("\xc0\xaf"), "not valid UTF-8");  // overlong '/'
  EXPECT_EQ(display_name_problem("a\x7f"), "control characters are not allowed");
  EXPECT_EQ(display_name_problem("a\xc2\x85"), "control characters are not allowed");  // NEL, C1
}
