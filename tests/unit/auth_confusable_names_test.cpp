// Look-alike usernames over real SQLite (issue 12, F5): reserved by confusable skeleton, and
// refused as new accounts.
#include <gtest/gtest.h>

#include <optional>

#include "auth_test_support.hpp"
#include "accounts/account_names.hpp"
#include "accounts/account_provisioning.hpp"
#include "accounts/bot_accounts.hpp"
#include "accounts/storage/sqlite_handle.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
using parley::storage::InsertUserResult;
using parley::storage::SqliteStorage;
using parley::storage::User;
using parley::test::TempDir;

namespace {

constexpr std::int64_t kNow = 1735689600;

User account(std::string id, std::string username, bool is_bot = false) {
  User u;
  u.id = std::move(id);
  u.username = std::move(username);
  u.is_bot = is_bot;
  u.created_at = kNow;
  return u;
}

class ConfusableNames : public ::testing::Test {
 protected:
  TempDir tmp;
  std::optional<SqliteStorage> open_storage{std::in_place, tmp.path()};
  SqliteStorage& storage = *open_storage;
  AccountReservedNames names{storage};
  void SetUp() override {
    ASSERT_EQ(storage.insert_user(account("b1", "echo_bot", true)), InsertUserResult::ok);
    ASSERT_EQ(storage.insert_user(account("u1", "alice")), InsertUserResult::ok);
  }
};

}  // namespace

TEST_F(ConfusableNames, LookAlikesAreReservedForTheAccount) {
  EXPECT_TRUE(names.reserved_for_other("\u0435cho_bot", ""));                // Cyrillic е
  EXPECT_TRUE(names.reserved_for_other("\uFF45\uFF43\uFF48\uFF4F_bot", ""));  // full-width
  EXPECT_TRUE(names.reserved_for_other("ec\u200Bho_bot", ""));
  EXPECT_TRUE(names.reserved_for_other("aIice", "echo_bot"));
  EXPECT_FALSE(names.reserved_for_other("\u0435cho_bot", "echo_bot"));  // its own
  EXPECT_FALSE(names.reserved_for_other("echo_bot2", ""));
  EXPECT_EQ(parley::signalling::avoid_reserved("\u0435cho_bot", "", names), "\u0435cho_bot-2");
  EXPECT_EQ(parley::signalling::avoid_reserved("\uFF45\uFF43\uFF48\uFF4F_bot", "alice", names),
            "\uFF45\uFF43\uFF48\uFF4F_bot-2");
}

TEST_F(ConfusableNames, NewAccountsMayNotLookLikeOldOnes) {
  EXPECT_EQ(storage.insert_user(account("u2", "ECHO_BOT")), InsertUserResult::username_taken);
  EXPECT_EQ(storage.insert_user(account("u2", "\u0435cho_bot")), InsertUserResult::username_confusable);
  EXPECT_EQ(storage.insert_user(account("u2", "a1ice")), InsertUserResult::username_confusable);
  EXPECT_FALSE(storage.user_by_id("u2"));
  EXPECT_EQ(storage.insert_user(account("u2", "alice2")), InsertUserResult::ok);

  // A bot through the management API gets a clear 409; an identity provider's login a suffix.
  parley::accounts::JwtService jwt{JwtKey(std::string(32, 'k')), [](std::string_view) { return true; }};
  BotAccounts bots{storage, jwt, [](const User&) {}};
  const auto r = bots.handle(ManagementRequest{"POST", "/bots/add", "application/json", R"({"username":"ech0_bot"})"}, kNow);
  EXPECT_EQ(r.status, 409u);
  EXPECT_NE(r.body.find("looks like an existing account"), std::string::npos) << r.body;
  AccountProvisioner provisioner(storage);
  const auto login = provisioner.github(7, "a1ice", "", "", kNow);
  ASSERT_TRUE(login.user) << login.error;
  EXPECT_EQ(login.user->username.substr(0, 6), "a1ice-");
}

TEST_F(ConfusableNames, LoginNamesWithInvisibleCharactersAreRefused) {
  EXPECT_FALSE(acceptable_login_username("ec\u200Bho"));
  EXPECT_FALSE(acceptable_login_username("echo\uFEFF"));
  EXPECT_TRUE(acceptable_login_username("\u00E9lan"));
}

// Rows from before migration 2 (or from an older ICU) get their skeletons at the next start, and
// a look-alike pair that already exists keeps both exact usernames.
TEST_F(ConfusableNames, SkeletonsAreFilledInAtStartAndOldPairsKeepTheirNames) {
  open_storage.reset();  // a restart: the data directory is locked while a storage is open
  {
    parley::storage::Database db((tmp.path() / SqliteStorage::kFileName).string());
    db.exec("INSERT INTO users (id, username, created_at) VALUES ('u9', 'a1ice', 0)");
    db.exec("UPDATE users SET skeleton_folded = '', skeleton_written = '' WHERE id = 'b1'");
  }
  SqliteStorage reopened{tmp.path()};
  AccountReservedNames again{reopened};
  EXPECT_TRUE(again.reserved_for_other("\u0435cho_bot", ""));
  EXPECT_EQ(reopened.users_looking_like("alice").size(), 2u);
  EXPECT_FALSE(again.reserved_for_other("alice", "alice"));
  EXPECT_FALSE(again.reserved_for_other("a1ice", "a1ice"));
  EXPECT_TRUE(again.reserved_for_other("alice", "a1ice"));
  EXPECT_TRUE(again.reserved_for_other("a1ice", "alice"));
}
