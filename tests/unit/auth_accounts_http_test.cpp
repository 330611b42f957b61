// Accounts (composition root) and AccountsHttpApi (route table) over a real data directory:
// restart survival, key rotation, and each account route as the transport will call it.
#include <gtest/gtest.h>

#include <optional>

#include <boost/json.hpp>
#include <fstream>

#include "auth_test_support.hpp"
#include "accounts/accounts.hpp"
#include "accounts/http/accounts_http.hpp"

using namespace parley::accounts;
using parley::signalling::Authentication;
namespace json = boost::json;
using parley::test::ScriptedHttp;
using parley::test::TempDir;

namespace {

constexpr std::int64_t kNowMs = 1735689600000;
constexpr std::int64_t kNow = kNowMs / 1000;

std::string cookie_of(const HttpReply& r) {
  const auto set = r.header("Set-Cookie");
  return set ? set->substr(0, set->find(';')) : std::string{};
}

AccountsConfig base_config(const TempDir& tmp) {
  AccountsConfig c;
  c.data_dir = tmp.path() / "data";
  GithubConfig gh;
  gh.client_id = "cid";
  gh.client_secret = "secret";
  gh.oauth_base_url = "http://127.0.0.1:9";
  gh.api_base_url = "http://127.0.0.1:9";
  c.github = gh;
  return c;
}

class AuthAccountsHttp : public ::testing::Test {
 protected:
  TempDir tmp;
  ScriptedHttp http;
  Accounts accounts{base_config(tmp), http};
  AccountsHttpApi api{accounts};

  AccountReply get(std::string_view path, std::string_view query = "", std::string_view cookie = "",
                   std::string_view authorization = "", std::string_view method = "GET") {
    auto r = api.route(AccountRequest{method, path, query, authorization, cookie}, kNowMs);
    EXPECT_TRUE(r.has_value()) << path;
    if (!r) return {};
    if (r->ready) return *r->ready;
    EXPECT_TRUE(r->blocking) << path;
    return r->blocking();
  }
};

}  // namespace

TEST_F(AuthAccountsHttp, UnknownAndUnconfiguredRoutesFallThrough) {
  EXPECT_FALSE(api.route(AccountRequest{"GET", "/conns", "", "", ""}, kNowMs));
  EXPECT_FALSE(api.route(AccountRequest{"GET", "/kioubit/login/start", "", "", ""}, kNowMs));  // not configured
  EXPECT_FALSE(api.route(AccountRequest{"GET", "/profile/", "", "", ""}, kNowMs));
  EXPECT_TRUE(AccountsHttpApi::is_account_path("/kioubit/login/delete"));
}

TEST_F(AuthAccountsHttp, MethodsAreChecked) {
  auto r = get("/profile", "", "", "", "POST");
  EXPECT_EQ(r.reply.status, 405u);
  EXPECT_EQ(r.reply.header("Allow"), "GET, HEAD");
  r = get("/logout", "", "", "", "GET");
  EXPECT_EQ(r.reply.status, 405u);
  EXPECT_EQ(r.reply.header("Allow"), "POST");
  EXPECT_EQ(get("/profile/status", "", "", "", "HEAD").reply.status, 200u);
}

TEST_F(AuthAccountsHttp, InvalidBearerIs401OnProfileRoutes) {
  const auto r = get("/profile/status", "", "", "Bearer garbage");
  EXPECT_EQ(r.reply.status, 401u);
  EXPECT_EQ(r.reply.body, R"({"err":"invalid token"})");
  EXPECT_EQ(get("/profile/status", "", "", "Basic abc").reply.body, R"({"logged_in":false})");
}

TEST_F(AuthAccountsHttp, BotTokenIdentifiesOnHttp) {
  const auto added = accounts.bots().add(BotFields{"echo_bot", "EchoBot", ""}, kNow);
  const std::string token(json::parse(added.body).at("token").as_string());
  EXPECT_EQ(get("/profile", "", "", "Bearer " + token).reply.body, R"({"username":"echo_bot","displayName":"EchoBot"})");
  EXPECT_EQ(get("/profile/status", "", "", "bearer " + token).reply.body, R"({"logged_in":true})");
  // With a query the transport already decoded.
  const auto r = api.route(AccountRequest{"GET", "/profile", "ignored", "", ""}, QueryParams{{"username", "ECHO_BOT"}}, kNowMs);
  ASSERT_TRUE(r && r->ready);
  EXPECT_EQ(r->ready->reply.body, R"({"username":"echo_bot","displayName":"EchoBot"})");
}

TEST_F(AuthAccountsHttp, GithubLoginThroughTheRoutesThenLogout) {
  const auto start = get("/github/login/start", "current_page=%2Fafter");
  ASSERT_EQ(start.reply.status, 307u);
  const std::string cookie = cookie_of(start.reply);
  const std::string location = *start.reply.header("Location");
  const std::string state = parse_query(location.substr(location.find('?') + 1)).at("state");

  http.reply(200, R"({"access_token":"tok"})");
  http.reply(200, R"({"id":1,"login":"octocat","avatar_url":"https://avatars.example/1"})");
  auto route = api.route(AccountRequest{"GET", "/github/login/auth", "code=c&state=" + state, "", cookie}, kNowMs);
  ASSERT_TRUE(route && route->blocking && !route->ready);  // makes outbound requests: off the I/O thread
  const auto done = route->blocking();
  ASSERT_EQ(done.reply.status, 307u) << done.reply.body;
  EXPECT_EQ(done.reply.header("Location"), "http://localhost:3001/after");
  ASSERT_TRUE(done.after);
  EXPECT_EQ(done.after->method, "DELETE");
  const std::string session = cookie_of(done.reply);

  EXPECT_EQ(get("/profile", "", session).reply.body, R"({"username":"octocat","avatarURL":"https://avatars.example/1"})");

  // Remote avatar: fetched off-thread once, then served from the cache without I/O.
  http.reply(200, "PNGDATA", "image/png");
  auto avatar = get("/profile/avatar", "", session);
  EXPECT_EQ(avatar.reply.status, 200u);
  EXPECT_EQ(avatar.reply.body, "PNGDATA");
  auto cached = api.route(AccountRequest{"GET", "/profile/avatar", "username=OCTOCAT", "", ""}, kNowMs);
  ASSERT_TRUE(cached && cached->ready);
  EXPECT_EQ(cached->ready->reply.body, "PNGDATA");

  const auto out = get("/logout", "", session, "", "POST");
  EXPECT_EQ(out.reply.status, 200u);
  EXPECT_TRUE(out.reply.body.empty());
  EXPECT_EQ(out.reply.header("Set-Cookie"), "session_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_EQ(get("/profile", "", session).reply.status, 401u);
  EXPECT_EQ(get("/kioubit/login/delete", "", "", "", "POST").reply.status, 200u);
}

TEST(AuthAccounts, RestartKeepsUsersSessionsAndBotTokens) {
  TempDir tmp;
  ScriptedHttp http;
  std::string token, session;
  {
    Accounts a(base_config(tmp), http);
    token = std::string(json::parse(a.bots().add(BotFields{"echo_bot", "", ""}, kNow).body).at("token").as_string());
    parley::storage::User u;
    u.id = "u1";
    u.username = "alice";
    ASSERT_EQ(a.storage().insert_user(u), parley::storage::InsertUserResult::ok);
    const auto started = a.sessions().start("", kNow);
    session = a.sessions().bind(started.live.id, "u1", kNow);
    session = session.substr(0, session.find(';'));
  }
  std::optional<Accounts> restarted(std::in_place, base_config(tmp), http);
  Accounts& b = *restarted;
  const auto id = b.authenticator().resolve("Bearer " + token, "", kNow + 10);
  ASSERT_EQ(id.identity.authentication, Authentication::jwt);
  EXPECT_EQ(id.user->username, "echo_bot");
  const auto web = b.authenticator().resolve("", session, kNow + 10);
  ASSERT_EQ(web.identity.authentication, Authentication::session);
  EXPECT_EQ(web.user->username, "alice");

  b.rotate_jwt_key();  // revokes every token, keeps sessions
  EXPECT_TRUE(b.authenticator().resolve("Bearer " + token, "", kNow + 10).bearer_rejected);
  restarted.reset();  // one server per data directory: the next start comes after this one
  Accounts c(base_config(tmp), http);
  EXPECT_TRUE(c.authenticator().resolve("Bearer " + token, "", kNow + 10).bearer_rejected);
  EXPECT_EQ(c.authenticator().resolve("", session, kNow + 10).identity.authentication, Authentication::session);
}

TEST(AuthAccounts, FatalConfigurationErrors) {
  TempDir tmp;
  ScriptedHttp http;
  auto c = base_config(tmp);
  c.sessions.cookie.same_site = SameSite::none;
  EXPECT_THROW(Accounts(c, http), std::invalid_argument);
  c = base_config(tmp);
  c.login_success_url = "not a url";
  EXPECT_THROW(Accounts(c, http), std::invalid_argument);
  c = base_config(tmp);
  c.kioubit = KioubitSetup{tmp.path() / "missing.pem", KioubitConfig{"https://k.example/", "https://chat.dn42/api/kioubit/login/auth"}};
  EXPECT_THROW(Accounts(c, http), std::runtime_error);
  c = base_config(tmp);
  c.jwt_secret_file = tmp.path() / "short.key";
  std::ofstream(c.jwt_secret_file) << "short";
  EXPECT_THROW(Accounts(c, http), std::runtime_error);
  c = base_config(tmp);
  c.sessions.cookie.same_site = SameSite::strict;
  EXPECT_EQ(Accounts(c, http).warnings().size(), 1u);
}

TEST(AuthAccounts, KioubitRoutesWhenConfigured) {
  TempDir tmp;
  ScriptedHttp http;
  auto key = parley::test::generate_p521();
  const auto pem = tmp.path() / "kioubit.pem";
  std::ofstream(pem) << parley::test::public_pem(key.get());
  auto c = base_config(tmp);
  c.kioubit = KioubitSetup{pem, KioubitConfig{"https://k.example/auth/", "https://chat.dn42/api/kioubit/login/auth"}};
  Accounts accounts(c, http);
  AccountsHttpApi api(accounts);
  auto start = api.route(AccountRequest{"GET", "/kioubit/login/start", "", "", ""}, kNowMs);
  ASSERT_TRUE(start && start->ready);
  const std::string location = *start->ready->reply.header("Location");
  const std::string nonce = parse_query(location.substr(location.find('?') + 1)).at("token");
  const std::string cookie = cookie_of(start->ready->reply);
  const std::string params = base64_encode(json::serialize(json::object{
      {"asn", "4242421234"}, {"time", kNow}, {"mnt", json::array{"X-MNT"}}, {"domain", "chat.dn42"}, {"user_token", nonce}}));
  const std::string q = "params=" + url_encode(params) + "&signature=" + url_encode(parley::test::sign_sha512(key.get(), params));
  auto cb = api.route(AccountRequest{"GET", "/kioubit/login/auth", q, "", cookie}, kNowMs + 500);
  ASSERT_TRUE(cb && cb->ready);
  ASSERT_EQ(cb->ready->reply.status, 307u) << cb->ready->reply.body;
  EXPECT_EQ(accounts.authenticator().resolve("", cookie_of(cb->ready->reply), kNow).user->username, "X-MNT");
}
