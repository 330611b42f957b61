// GitHub and Kioubit login flows end to end in core: real SQLite, real P-521 keys, scripted HTTP.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth_test_support.hpp"
#include "accounts/account_provisioning.hpp"
#include "accounts/logins/github_login.hpp"
#include "accounts/logins/kioubit_login.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
namespace json = boost::json;
using parley::storage::SqliteStorage;
using parley::test::ScriptedHttp;
using parley::test::TempDir;

namespace {

constexpr std::int64_t kNow = 1735689600;

std::string cookie_of(const HttpReply& r) {
  const auto set = r.header("Set-Cookie");
  return set ? set->substr(0, set->find(';')) : std::string{};
}

// The value of `name` in the query of `url`.
std::string url_param(const std::string& url, std::string_view name) {
  const auto q = parse_query(url.substr(url.find('?') + 1));
  const auto it = q.find(name);
  return it == q.end() ? std::string{} : it->second;
}

class LoginFixture : public ::testing::Test {
 protected:
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  SessionService sessions{storage, SessionConfig{}};
  NonceTable nonces;
  LoginFlow flow{sessions, nonces, RedirectPolicy("http://localhost:3001/")};
  AccountProvisioner accounts{storage};
};

class AuthGithub : public LoginFixture {
 protected:
  ScriptedHttp http;
  GithubConfig config() {
    GithubConfig c;
    c.client_id = "cid";
    c.client_secret = "s3cret";
    c.oauth_base_url = "http://127.0.0.1:9/gh/";
    c.api_base_url = "http://127.0.0.1:9/api";
    return c;
  }
  GithubLogin gh{config(), flow, accounts, http};

  // Runs start, then returns {cookie, state}.
  std::pair<std::string, std::string> begin(std::string current_page = "") {
    const auto r = gh.start("", current_page, kNow);
    EXPECT_EQ(r.status, 307u);
    return {cookie_of(r), url_param(*r.header("Location"), "state")};
  }
  void script_success(std::int64_t id = 1234, std::string login = "octocat", std::string name = "The Octocat") {
    http.reply(200, R"({"access_token":"gho_tok","token_type":"bearer","scope":"read:user"})");
    http.reply(200, json::serialize(json::object{{"id", id}, {"login", login}, {"name", name},
                                                 {"avatar_url", "https://avatars.example/u/1"}}));
  }
};

}  // namespace

TEST_F(AuthGithub, StartRedirectsToAuthorizeWithASessionCookie) {
  const auto r = gh.start("", "/after", kNow);
  EXPECT_EQ(r.status, 307u);
  const std::string loc = *r.header("Location");
  EXPECT_EQ(loc.rfind("http://127.0.0.1:9/gh/login/oauth/authorize?client_id=cid&redirect_uri=http%3A%2F%2Flocalhost"
                      "%3A3001%2Fapi%2Fgithub%2Flogin%2Fauth&scope=read%3Auser&state=",
                      0),
            0u)
      << loc;
  EXPECT_GE(url_param(loc, "state").size(), 22u);
  EXPECT_NE(r.header("Set-Cookie")->find("HttpOnly"), std::string::npos);
}

TEST_F(AuthGithub, FullLoginCreatesTheAccountBindsTheSessionAndRedirects) {
  auto [cookie, state] = begin("/room/1");
  script_success();
  const auto cb = gh.callback(parse_query("code=abc&state=" + state), cookie, kNow + 5);
  ASSERT_EQ(cb.reply.status, 307u) << cb.reply.body;
  EXPECT_EQ(cb.reply.header("Location"), "http://localhost:3001/room/1");
  const std::string new_cookie = cookie_of(cb.reply);
  EXPECT_NE(new_cookie, cookie);  // rotated
  const auto user = sessions.user_for(new_cookie, kNow + 6);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "octocat");
  EXPECT_EQ(user->display_name, "The Octocat");
  EXPECT_EQ(user->avatar_url, "https://avatars.example/u/1");
  EXPECT_EQ(user->github_id, 1234);

  ASSERT_EQ(http.requests.size(), 2u);
  const auto& tok = http.requests[0];
  EXPECT_EQ(tok.method, "POST");
  EXPECT_EQ(tok.url, "http://127.0.0.1:9/gh/login/oauth/access_token");
  EXPECT_EQ(tok.body, "client_id=cid&client_secret=s3cret&code=abc&redirect_uri=http%3A%2F%2Flocalhost%3A3001%2Fapi%2F"
                      "github%2Flogin%2Fauth");
  const auto& usr = http.requests[1];
  EXPECT_EQ(usr.url, "http://127.0.0.1:9/api/user");
  EXPECT_NE(std::find(usr.headers.begin(), usr.headers.end(), Header{"Authorization", "Bearer gho_tok"}),
            usr.headers.end());
  EXPECT_NE(std::find(usr.headers.begin(), usr.headers.end(), Header{"User-Agent", "parley"}), usr.headers.end());

  ASSERT_TRUE(cb.revoke);
  EXPECT_EQ(cb.revoke->method, "DELETE");
  EXPECT_EQ(cb.revoke->url, "http://127.0.0.1:9/api/applications/cid/token");
  EXPECT_EQ(cb.revoke->body, R"({"access_token":"gho_tok"})");
  EXPECT_NE(std::find(cb.revoke->headers.begin(), cb.revoke->headers.end(),
                      Header{"Authorization", "Basic " + base64_encode("cid:s3cret")}),
            cb.revoke->headers.end());
}

TEST_F(AuthGithub, SecondLoginRefreshesNameAndAvatarButKeepsTheUsername) {
  auto [c1, s1] = begin();
  script_success(7, "octocat", "Old");
  ASSERT_EQ(gh.callback(parse_query("code=a&state=" + s1), c1, kNow).reply.status, 307u);
  auto [c2, s2] = begin();
  http.reply(200, R"({"access_token":"t2"})");
  http.reply(200, R"({"id":7,"login":"renamed","name":"New","avatar_url":"https://avatars.example/new"})");
  ASSERT_EQ(gh.callback(parse_query("code=b&state=" + s2), c2, kNow).reply.status, 307u);
  const auto u = storage.user_by_github_id(7);
  EXPECT_EQ(u->username, "octocat");
  EXPECT_EQ(u->display_name, "New");
  EXPECT_EQ(u->avatar_url, "https://avatars.example/new");
}

TEST_F(AuthGithub, UsernameCollisionGetsASuffix) {
  parley::storage::User bot;
  bot.id = "b";
  bot.username = "OctoCat";
  bot.is_bot = true;
  ASSERT_EQ(storage.insert_user(bot), parley::storage::InsertUserResult::ok);
  auto [cookie, state] = begin();
  script_success(99, "octocat");
  ASSERT_EQ(gh.callback(parse_query("code=a&state=" + state), cookie, kNow).reply.status, 307u);
  const auto u = storage.user_by_github_id(99);
  ASSERT_EQ(u->username.size(), std::string("octocat-xxxx").size());
  EXPECT_EQ(u->username.substr(0, 8), "octocat-");
  EXPECT_EQ(u->username.find_first_not_of("0123456789abcdef", 8), std::string::npos);
}

TEST_F(AuthGithub, ProviderErrorIsReported) {
  auto [cookie, state] = begin();
  const auto cb = gh.callback(parse_query("error=access_denied&error_description=The+user+said+no&state=" + state),
                              cookie, kNow);
  EXPECT_EQ(cb.reply.status, 400u);
  EXPECT_EQ(cb.reply.body, R"({"err":"access_denied: The user said no"})");
  EXPECT_TRUE(http.requests.empty());
  // The nonce was used up.
  EXPECT_EQ(gh.callback(parse_query("code=x&state=" + state), cookie, kNow).reply.status, 400u);
}

TEST_F(AuthGithub, StateProblems) {
  auto [cookie, state] = begin();
  EXPECT_EQ(gh.callback(parse_query("code=x"), cookie, kNow).reply.body, R"({"err":"missing state"})");
  EXPECT_EQ(gh.callback(parse_query("code=x&state=forged"), cookie, kNow).reply.body,
            R"({"err":"Invalid nonce forged"})");
  // Another browser (no cookie / other session) cannot finish this login; the nonce is then gone.
  const auto other = gh.callback(parse_query("code=x&state=" + state), "", kNow);
  EXPECT_EQ(other.reply.status, 400u);
  EXPECT_EQ(other.reply.body, R"({"err":"Invalid nonce )" + state + R"(, no session is bound"})");
  EXPECT_EQ(gh.callback(parse_query("code=x&state=" + state), cookie, kNow).reply.status, 400u);
  // Expired.
  auto [c2, s2] = begin();
  EXPECT_EQ(gh.callback(parse_query("code=x&state=" + s2), c2, kNow + 301).reply.status, 400u);
  EXPECT_TRUE(http.requests.empty());
}

TEST_F(AuthGithub, MissingCodeIs401) {
  auto [cookie, state] = begin();
  EXPECT_EQ(gh.callback(parse_query("state=" + state), cookie, kNow).reply.status, 401u);
}

TEST_F(AuthGithub, TokenExchangeFailures) {
  auto run = [&](auto script) {
    auto [cookie, state] = begin();
    script();
    return gh.callback(parse_query("code=c&state=" + state), cookie, kNow);
  };
  auto r = run([&] { http.reply(200, R"({"error":"bad_verification_code"})"); });
  EXPECT_EQ(r.reply.status, 401u);
  EXPECT_FALSE(r.revoke);
  EXPECT_EQ(run([&] { http.reply(200, R"({"token_type":"bearer"})"); }).reply.status, 401u);
  EXPECT_EQ(run([&] { http.reply(200, "<html>"); }).reply.status, 401u);
  EXPECT_EQ(run([&] { http.reply(200, R"({"access_token":7})"); }).reply.status, 401u);
  EXPECT_EQ(run([&] { http.fail("timeout"); }).reply.status, 502u);
}

TEST_F(AuthGithub, UserFailuresStillRevokeTheToken) {
  auto run = [&](std::string user_body, long status = 200) {
    auto [cookie, state] = begin();
    http.reply(200, R"({"access_token":"t"})");
    http.reply(status, std::move(user_body));
    return gh.callback(parse_query("code=c&state=" + state), cookie, kNow);
  };
  for (auto body : {R"({"login":"x"})", R"({"id":"12","login":"x"})", R"({"id":-3,"login":"x"})", "[]", "junk"}) {
    const auto r = run(body);
    EXPECT_EQ(r.reply.status, 401u) << body;
    EXPECT_TRUE(r.revoke) << body;
  }
  EXPECT_EQ(run(R"({"id":5,"login":"x"})", 500).reply.status, 401u);
  // A login that cannot be a username.
  const auto bad = run(R"({"id":6,"login":"a\u0000b"})");
  EXPECT_EQ(bad.reply.status, 400u);
  EXPECT_FALSE(storage.user_by_github_id(6));
  // Hostile display name and avatar are dropped, not stored.
  const auto ok = run(R"j({"id":8,"login":"eve","name":"\u202eevil","avatar_url":"javascript:alert(1)"})j");
  EXPECT_EQ(ok.reply.status, 307u);
  EXPECT_EQ(storage.user_by_github_id(8)->display_name, "");
  EXPECT_EQ(storage.user_by_github_id(8)->avatar_url, "");
}

TEST(AuthGithubConfig, EnabledNeedsIdSecretAndRedirect) {
  GithubConfig c;
  EXPECT_FALSE(c.enabled());
  c.client_id = "a";
  c.client_secret = "b";
  EXPECT_TRUE(c.enabled());
  c.redirect_url.clear();
  EXPECT_FALSE(c.enabled());
}

namespace {

class AuthKioubitLogin : public LoginFixture {
 protected:
  parley::test::PkeyPtr key = parley::test::generate_p521();
  KioubitLogin login{KioubitConfig{"https://kioubit.example/auth/", "https://chat.example.dn42/api/kioubit/login/auth"},
                     KioubitVerifier::from_pem(parley::test::public_pem(key.get())), flow, accounts};

  std::pair<std::string, std::string> begin() {
    const auto r = login.start("", "", kNow);
    EXPECT_EQ(r.status, 307u);
    return {cookie_of(r), url_param(*r.header("Location"), "token")};
  }
  QueryParams callback_query(const std::string& nonce, std::string mnt = "FOO-MNT", std::string asn = "4242420000") {
    const json::object p{{"asn", asn},          {"time", static_cast<double>(kNow) + 0.5},
                         {"mnt", json::array{mnt}}, {"effective_mnt", mnt},
                         {"domain", "chat.example.dn42"}, {"user_token", nonce}};
    const std::string params = base64_encode(json::serialize(p));
    return QueryParams{{"params", params}, {"signature", parley::test::sign_sha512(key.get(), params)}};
  }
};

}  // namespace

TEST_F(AuthKioubitLogin, StartRedirectsToTheProvider) {
  const auto r = login.start("", "", kNow);
  const std::string loc = *r.header("Location");
  EXPECT_EQ(loc.rfind("https://kioubit.example/auth/?return=https%3A%2F%2Fchat.example.dn42%2Fapi%2Fkioubit%2Flogin%2F"
                      "auth&token=",
                      0),
            0u)
      << loc;
  EXPECT_TRUE(r.header("Set-Cookie"));
}

TEST_F(AuthKioubitLogin, ValidLoginThenReplayRefused) {
  auto [cookie, nonce] = begin();
  const auto q = callback_query(nonce);
  const auto r = login.callback(q, cookie, kNow + 1.0);
  ASSERT_EQ(r.status, 307u) << r.body;
  EXPECT_EQ(r.header("Location"), "http://localhost:3001/");
  const auto user = sessions.user_for(cookie_of(r), kNow + 2);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "FOO-MNT");
  EXPECT_EQ(user->dn42_asn, "4242420000");
  EXPECT_EQ(user->dn42_mnt, "FOO-MNT");
  // The same signed answer again: the nonce is used up.
  const auto replay = login.callback(q, cookie_of(r), kNow + 3.0);
  EXPECT_EQ(replay.status, 400u);
  EXPECT_EQ(replay.body, R"({"err":"Invalid nonce )" + nonce + R"("})");
}

TEST_F(AuthKioubitLogin, TwoMaintainersOfOneAsnGetTwoAccounts) {
  auto [c1, n1] = begin();
  ASSERT_EQ(login.callback(callback_query(n1, "FOO-MNT"), c1, kNow).status, 307u);
  auto [c2, n2] = begin();
  ASSERT_EQ(login.callback(callback_query(n2, "BAR-MNT"), c2, kNow).status, 307u);
  EXPECT_NE(storage.user_by_dn42("4242420000", "FOO-MNT")->id, storage.user_by_dn42("4242420000", "BAR-MNT")->id);
  // Same maintainer again: same account.
  auto [c3, n3] = begin();
  const auto r = login.callback(callback_query(n3, "FOO-MNT"), c3, kNow);
  EXPECT_EQ(sessions.user_for(cookie_of(r), kNow)->id, storage.user_by_dn42("4242420000", "FOO-MNT")->id);
}

TEST_F(AuthKioubitLogin, VerifierErrorsComeFirstAndKeepTheNonce) {
  auto [cookie, nonce] = begin();
  auto q = callback_query(nonce);
  q["signature"] = parley::test::sign_sha512(key.get(), "other");
  const auto bad = login.callback(q, cookie, kNow);
  EXPECT_EQ(bad.body, R"({"err":"invalid signature"})");
  EXPECT_EQ(login.callback(QueryParams{}, cookie, kNow).body, R"({"err":"no params found"})");
  EXPECT_EQ(login.callback(callback_query(nonce), cookie, kNow + 120).body, R"({"err":"the request has expired"})");
  // The nonce inside a signed, fresh payload still works.
  EXPECT_EQ(login.callback(callback_query(nonce), cookie, kNow).status, 307u);
}

TEST_F(AuthKioubitLogin, NonceFromAnotherBrowserRefused) {
  auto [cookie, nonce] = begin();
  const auto r = login.callback(callback_query(nonce), "", kNow);
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("no session is bound"), std::string::npos);
}

TEST_F(AuthKioubitLogin, GithubNonceNotAcceptedByKioubit) {
  const auto gh_start = flow.begin("github", "", "", kNow);
  const std::string cookie = gh_start.set_cookie->substr(0, gh_start.set_cookie->find(';'));
  EXPECT_EQ(login.callback(callback_query(gh_start.nonce), cookie, kNow).status, 400u);
}

TEST(AuthProvisioning, SuffixedNamesStayWithin64CodePoints) {
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  AccountProvisioner p(storage);
  std::string base;
  for (int i = 0; i < 64; ++i) base += "\xc3\xa9";  // 64 two-byte code points
  ASSERT_TRUE(p.dn42("1", "A", base, kNow).user);
  auto first = p.dn42("1", base, "", kNow);
  ASSERT_TRUE(first.user) << first.error;
  EXPECT_EQ(first.user->username, base);
  // The same maintainer name for another ASN collides: suffix, truncated base.
  const auto second = p.dn42("2", base, "", kNow);
  ASSERT_TRUE(second.user) << second.error;
  EXPECT_EQ(second.user->username.substr(0, 59 * 2), base.substr(0, 59 * 2));
  EXPECT_EQ(second.user->username.size(), 59u * 2 + 5);
  EXPECT_EQ(second.user->display_name, base);
}

TEST(AuthProvisioning, CollisionRetriesRunOut) {
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  // A storage whose every candidate name is taken: use a base that is taken and a tiny hex space
  // is impossible to exhaust for real, so count the attempts through a decorator instead.
  struct AlwaysTaken : parley::storage::Storage {
    int inserts = 0;
    std::optional<parley::storage::User> user_by_id(std::string_view) override { return {}; }
    std::optional<parley::storage::User> user_by_username(std::string_view) override { return {}; }
    std::optional<parley::storage::User> user_by_github_id(std::int64_t) override { return {}; }
    std::optional<parley::storage::User> user_by_dn42(std::string_view, std::string_view) override { return {}; }
    std::vector<parley::storage::User> users_looking_like(std::string_view) override { return {}; }
    parley::storage::InsertUserResult insert_user(const parley::storage::User&) override {
      ++inserts;
      return parley::storage::InsertUserResult::username_taken;
    }
    bool update_user_profile(std::string_view, std::string_view, std::string_view) override { return false; }
    bool delete_user(std::string_view) override { return false; }
    std::vector<parley::storage::User> list_bots() override { return {}; }
    void insert_session(const parley::storage::Session&, const parley::storage::SessionLimits&, std::int64_t) override {}
    void replace_session(std::string_view, const parley::storage::Session&, const parley::storage::SessionLimits&,
                         std::int64_t) override {}
    std::optional<parley::storage::Session> session_by_hash(std::string_view, std::int64_t) override { return {}; }
    bool delete_session(std::string_view) override { return false; }
    std::size_t delete_expired_sessions(std::int64_t) override { return 0; }
    std::size_t count_sessions(std::optional<std::string_view>) override { return 0; }
  } taken;
  AccountProvisioner p(taken);
  const auto r = p.github(1, "octocat", "", "", kNow);
  EXPECT_FALSE(r.user);
  EXPECT_EQ(r.error, "username already exists");
  EXPECT_EQ(taken.inserts, 1 + AccountProvisioner::kCollisionRetries);
}

TEST(AuthProvisioning, PlainHttpAvatarsOnlyWithTheTestSetting) {
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  AccountProvisioner strict(storage);
  auto a = strict.github(7, "mona", "Mona", "http://127.0.0.1:9/a.png", kNow);
  ASSERT_TRUE(a.user) << a.error;
  EXPECT_EQ(a.user->avatar_url, "") << "production drops non-https avatars";
  AccountProvisioner lax(storage, /*allow_http_avatars=*/true);
  auto b = lax.github(7, "mona", "Mona", "http://127.0.0.1:9/a.png", kNow);
  ASSERT_TRUE(b.user) << b.error;
  EXPECT_EQ(b.user->avatar_url, "http://127.0.0.1:9/a.png");
  EXPECT_EQ(lax.github(7, "mona", "Mona", "ftp://x/a.png", kNow).user->avatar_url, "") << "other schemes never";
}
