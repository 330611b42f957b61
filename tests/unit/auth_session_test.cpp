// Cookies, SessionService and RequestAuthenticator over a real SQLite file.
#include <gtest/gtest.h>

#include "auth_test_support.hpp"
#include "accounts/http/cookie.hpp"
#include "accounts/signalling_adapters.hpp"
#include "accounts/caller.hpp"
#include "accounts/session_service.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
using parley::signalling::Authentication;
using parley::storage::SqliteStorage;
using parley::storage::User;
using parley::test::TempDir;

namespace {

constexpr std::int64_t kNow = 1735689600;

// "session_id=<v>; ..." -> "session_id=<v>" as a browser would send it back.
std::string cookie_header_from(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

User account(std::string id, std::string username) {
  User u;
  u.id = std::move(id);
  u.username = std::move(username);
  u.created_at = kNow;
  return u;
}

class AuthSession : public ::testing::Test {
 protected:
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  SessionService sessions{storage, SessionConfig{}};
  void SetUp() override { ASSERT_EQ(storage.insert_user(account("u1", "alice")), parley::storage::InsertUserResult::ok); }
};

}  // namespace

TEST(AuthCookie, SetCookieCarriesTheConfiguredAttributes) {
  CookieConfig c;
  EXPECT_EQ(session_cookie(c, "abc", 600), "session_id=abc; Path=/; Max-Age=600; HttpOnly; SameSite=Lax");
  c.domain = "example.com";
  c.secure = true;
  c.same_site = SameSite::none;
  EXPECT_EQ(session_cookie(c, "abc", 60),
            "session_id=abc; Path=/; Max-Age=60; Domain=example.com; HttpOnly; Secure; SameSite=None");
  EXPECT_EQ(clear_session_cookie(c), "session_id=; Path=/; Max-Age=0; Domain=example.com; HttpOnly; Secure; SameSite=None");
}

TEST(AuthCookie, ConfigValidation) {
  CookieConfig c;
  EXPECT_TRUE(validate_cookie_config(c).empty());
  c.same_site = SameSite::none;
  EXPECT_THROW(validate_cookie_config(c), std::invalid_argument);
  c.secure = true;
  EXPECT_TRUE(validate_cookie_config(c).empty());
  c.same_site = SameSite::strict;
  EXPECT_EQ(validate_cookie_config(c).size(), 1u);
  c.domain = "a.com; Secure";
  EXPECT_THROW(validate_cookie_config(c), std::invalid_argument);
  EXPECT_EQ(parse_same_site("none"), SameSite::none);
  EXPECT_EQ(parse_same_site("STRICT"), SameSite::strict);
  EXPECT_THROW(parse_same_site("lazy"), std::invalid_argument);
}

TEST(AuthCookie, ReadsEveryValueOfTheCookie) {
  const auto v = cookie_values("a=1; session_id=x; b=2;session_id=\"y\" ; junk; =z; session_id", "session_id");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], "x");
  EXPECT_EQ(v[1], "y");
  EXPECT_TRUE(cookie_values("", "session_id").empty());
  EXPECT_TRUE(cookie_values("session_idx=1; xsession_id=2", "session_id").empty());
}

TEST_F(AuthSession, StartCreatesAPreLoginSessionOnlyWhenNeeded) {
  const auto first = sessions.start("", kNow);
  ASSERT_TRUE(first.set_cookie);
  EXPECT_NE(first.set_cookie->find("Max-Age=600"), std::string::npos);
  EXPECT_GE(first.live.id.size(), 43u);
  EXPECT_FALSE(first.live.session.user_id);
  const auto again = sessions.start(cookie_header_from(*first.set_cookie), kNow + 10);
  EXPECT_FALSE(again.set_cookie);
  EXPECT_EQ(again.live.id, first.live.id);
  // Stored by digest only.
  EXPECT_FALSE(storage.session_by_hash(first.live.id, kNow));
  EXPECT_TRUE(storage.session_by_hash(SessionService::digest(first.live.id), kNow));
  // Pre-login sessions last 10 minutes and never identify anybody.
  EXPECT_FALSE(sessions.user_for(cookie_header_from(*first.set_cookie), kNow));
  EXPECT_FALSE(sessions.find(cookie_header_from(*first.set_cookie), kNow + 600));
}

TEST_F(AuthSession, BindRotatesTheIdAndSetsTheLifetime) {
  const auto started = sessions.start("", kNow);
  const std::string set = sessions.bind(started.live.id, "u1", kNow + 5);
  EXPECT_NE(set.find("Max-Age=2592000"), std::string::npos);
  const std::string header = cookie_header_from(set);
  EXPECT_NE(header, "session_id=" + started.live.id);
  EXPECT_FALSE(sessions.find("session_id=" + started.live.id, kNow + 6));  // old id is dead
  const auto user = sessions.user_for(header, kNow + 6);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "alice");
  EXPECT_FALSE(sessions.user_for(header, kNow + 5 + 2592000));  // expired
}

TEST_F(AuthSession, LogoutDeletesAndClears) {
  const auto started = sessions.start("", kNow);
  const std::string header = cookie_header_from(sessions.bind(started.live.id, "u1", kNow));
  EXPECT_EQ(sessions.logout(header), "session_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_FALSE(sessions.user_for(header, kNow));
  EXPECT_NO_THROW(sessions.logout("session_id=' OR 1=1 --; session_id=" + std::string(10000, 'a')));
}

TEST_F(AuthSession, GarbageCookiesIdentifyNobody) {
  for (std::string h : std::vector<std::string>{"session_id=", "session_id=x", "session_id=" + std::string(10000, 'A'),
                                                "session_id=%00%01", std::string("session_id=\0\0", 13)}) {
    EXPECT_FALSE(sessions.user_for(h, kNow));
    EXPECT_FALSE(sessions.find(h, kNow));
  }
}

TEST_F(AuthSession, OneLiveCookieAmongStaleOnesIsFound) {
  const auto started = sessions.start("", kNow);
  const std::string live = cookie_header_from(sessions.bind(started.live.id, "u1", kNow));
  EXPECT_TRUE(sessions.user_for("session_id=stale; " + live, kNow));
}

TEST(AuthBearer, ParsesTheAuthorizationHeader) {
  EXPECT_EQ(parley::signalling::bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(parley::signalling::bearer_token("bearer abc"), "abc");
  EXPECT_EQ(parley::signalling::bearer_token("BEARER abc "), "abc");
  EXPECT_EQ(parley::signalling::bearer_token("Bearer \tabc\t"), "abc");
  EXPECT_EQ(parley::signalling::bearer_token("Bearer "), "");
  EXPECT_EQ(parley::signalling::bearer_token("Bearer"), "");
  EXPECT_EQ(parley::signalling::bearer_token("Basic abc"), "");
  EXPECT_EQ(parley::signalling::bearer_token(""), "");
  EXPECT_EQ(parley::signalling::bearer_token("Bearerabc"), "");
}

TEST_F(AuthSession, IdentityPrefersAValidTokenThenTheCookie) {
  JwtService jwt(JwtKey(std::string(32, 'k')), [this](std::string_view id) { return storage.user_by_id(id).has_value(); });
  RequestAuthenticator authenticator(storage, jwt, sessions);
  ASSERT_EQ(storage.insert_user(account("b1", "echo_bot")), parley::storage::InsertUserResult::ok);
  const std::string token = jwt.issue("b1", kNow);
  const auto started = sessions.start("", kNow);
  const std::string cookie = cookie_header_from(sessions.bind(started.live.id, "u1", kNow));

  auto id = authenticator.resolve("Bearer " + token, cookie, kNow);
  EXPECT_EQ(id.identity.authentication, Authentication::jwt);
  EXPECT_EQ(id.user->username, "echo_bot");
  EXPECT_FALSE(id.bearer_rejected);

  id = authenticator.resolve("", cookie, kNow);
  EXPECT_EQ(id.identity.authentication, Authentication::session);
  EXPECT_EQ(id.user->username, "alice");

  // An invalid token is flagged (HTTP answers 401) and the cookie still decides (WebSocket).
  id = authenticator.resolve("bearer " + token + "x", cookie, kNow);
  EXPECT_TRUE(id.bearer_rejected);
  EXPECT_EQ(id.bearer_error, JwtService::Error::bad_signature);
  EXPECT_EQ(id.identity.authentication, Authentication::session);

  id = authenticator.resolve("Bearer " + token, "", kNow + 91LL * 24 * 3600);
  EXPECT_TRUE(id.bearer_rejected);
  EXPECT_EQ(id.identity.authentication, Authentication::none);
  EXPECT_FALSE(id.user);
  EXPECT_EQ(std::string_view(to_string(id.identity.authentication)), "none");

  // Deleted account: token invalid, like the original's `userNNNN` fallback.
  storage.delete_user("b1");
  id = authenticator.resolve("Bearer " + token, "", kNow);
  EXPECT_TRUE(id.bearer_rejected);
  EXPECT_EQ(id.bearer_error, JwtService::Error::unknown_account);

  const auto reply = invalid_token_reply();
  EXPECT_EQ(reply.status, 401u);
  EXPECT_EQ(reply.body, R"({"err":"invalid token"})");
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.header("cache-control"), "no-store");
}

TEST_F(AuthSession, HandshakeAdapterMapsIdentitiesForTheCore) {
  struct FixedClock : parley::signalling::Clock {
    std::int64_t unix_ms() const override { return kNow * 1000; }
    std::int64_t steady_ms() const override { return 0; }
  } clock;
  JwtService jwt(JwtKey(std::string(32, 'k')), [this](std::string_view id) { return storage.user_by_id(id).has_value(); });
  RequestAuthenticator authenticator(storage, jwt, sessions);
  AccountsIdentityResolver resolver(authenticator, clock);
  User bot = account("b1", "echo_bot");
  bot.is_bot = true;
  ASSERT_EQ(storage.insert_user(bot), parley::storage::InsertUserResult::ok);

  auto h = resolver.resolve("Bearer " + jwt.issue("b1", kNow), "");
  EXPECT_EQ(h.identity.authentication, parley::signalling::Authentication::jwt);
  EXPECT_EQ(h.identity.user_id, "b1");
  EXPECT_EQ(h.identity.username, "echo_bot");
  EXPECT_TRUE(h.identity.is_bot);
  EXPECT_FALSE(h.invalid_token);

  const auto started = sessions.start("", kNow);
  const std::string cookie = cookie_header_from(sessions.bind(started.live.id, "u1", kNow));
  h = resolver.resolve("Bearer nonsense", cookie);
  EXPECT_TRUE(h.invalid_token);
  EXPECT_EQ(h.identity.authentication, parley::signalling::Authentication::session);
  EXPECT_EQ(h.identity.username, "alice");
  EXPECT_FALSE(h.identity.is_bot);

  h = resolver.resolve("", "");
  EXPECT_EQ(h.identity.authentication, parley::signalling::Authentication::none);
  EXPECT_TRUE(h.identity.user_id.empty());
  EXPECT_FALSE(h.invalid_token);
}
