// GitHub login end to end through HTTP (PROTOCOL.md §4.1, §4.2), sessions on the WebSocket
// (§2.2), logout and its CSRF check (§3.6), remote avatars (§3.5), and persistence across a
// restart (§3.8, §3.10). GitHub is a local stand-in speaking its real endpoints; the "browser"
// is a cookie jar that follows redirects by hand. The public host of the server is
// http://parley.test, which the browser maps to the server's loopback port.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "accounts_support.hpp"
#include "github_stand_in.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }
json::value body_json(const HttpResult& r) { return json::parse(r.body); }

class GithubLogin : public ::testing::Test {
protected:
  GithubLogin() {
    setenv("GH_LOGIN_CLIENT_ID", "cid123", 1);
    setenv("GH_LOGIN_CLIENT_SECRET", "csecret456", 1);
  }
  ~GithubLogin() override {
    unsetenv("GH_LOGIN_CLIENT_ID");
    unsetenv("GH_LOGIN_CLIENT_SECRET");
  }

  std::vector<std::string> args() {
    return account_args(dir, {"--github-oauth-base-url", github.base_url(), "--github-api-base-url", github.base_url(),
                              "--github-login-redir-url", "http://parley.test/api/github/login/auth",
                              "--login-success-redir-url", "http://parley.test/", "--avatar-allow-http", "true"});
  }

  // The browser's side of a login up to (not including) the callback: start, then GitHub's
  // authorize page. Returns the callback target on parley-server.
  std::string start_login(Browser& b, std::uint16_t port, const std::string& current_page = "") {
    auto start = b.request(port, "GET",
                           "/api/github/login/start" + (current_page.empty() ? "" : "?current_page=" + url_encode(current_page)));
    EXPECT_EQ(start.status, 307) << start.body;
    const auto location = split_url(start.header("location"));
    EXPECT_EQ(location.port, github.port());
    EXPECT_EQ(location.target.rfind("/login/oauth/authorize?", 0), 0u) << location.target;
    auto authorize = http_request(github.port(), "GET", location.target);
    EXPECT_EQ(authorize.status, 302) << authorize.body;
    const auto back = split_url(authorize.header("location"));
    EXPECT_EQ(back.host, "parley.test");
    return back.target;
  }

  HttpResult login(Browser& b, std::uint16_t port, const std::string& current_page = "") {
    return b.request(port, "GET", start_login(b, port, current_page));
  }

  bool wait_revoked(std::size_t n) {
    for (int i = 0; i < 300 && github.revoked_tokens().size() < n; ++i) std::this_thread::sleep_for(10ms);
    return github.revoked_tokens().size() >= n;
  }

  TempDir dir;
  GithubStandIn github{"cid123", "csecret456"};
};

}  // namespace

TEST_F(GithubLogin, FullLoginSignsInWithSessionProfileAvatarAndRevokesTheToken) {
  ServerProcess server(args());
  const auto port = server.port();

  // servers.json lists the GitHub button, and only it.
  auto idp = json::parse(http_request(port, "GET", "/servers.json").body).as_array()[0].at("idp").as_array();
  ASSERT_EQ(idp.size(), 1u);
  EXPECT_EQ(str(idp[0].at("kind")), "github");
  EXPECT_EQ(str(idp[0].at("loginUrl")), "/api/github/login/start");

  Browser b;
  auto start = b.request(port, "GET", "/api/github/login/start?current_page=%2Froom%3Fx%3D1");
  ASSERT_EQ(start.status, 307);
  EXPECT_NE(start.header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(start.header("set-cookie").find("Max-Age=600"), std::string::npos);
  const std::string pre_login = b.session_id;
  ASSERT_FALSE(pre_login.empty());
  const std::string expected_prefix = github.base_url() +
                                      "/login/oauth/authorize?client_id=cid123&redirect_uri=http%3A%2F%2Fparley.test%2Fapi%2F"
                                      "github%2Flogin%2Fauth&scope=read%3Auser&state=";
  EXPECT_EQ(start.header("location").rfind(expected_prefix, 0), 0u) << start.header("location");
  EXPECT_EQ(json::parse(b.request(port, "GET", "/api/profile/status").body), json::parse(R"({"logged_in":false})"));

  auto authorize = http_request(github.port(), "GET", split_url(start.header("location")).target);
  ASSERT_EQ(authorize.status, 302);
  const auto callback = split_url(authorize.header("location")).target;
  auto done = b.request(port, "GET", callback);
  ASSERT_EQ(done.status, 307) << done.body;
  EXPECT_EQ(done.header("location"), "http://parley.test/room?x=1");
  EXPECT_NE(b.session_id, pre_login) << "the session id is rotated at login";
  EXPECT_NE(done.header("set-cookie").find("Max-Age=2592000"), std::string::npos) << done.header("set-cookie");

  // The token exchange sent the client secret in a form body.
  auto bodies = github.token_request_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  auto form = query_of("?" + bodies[0]);
  EXPECT_EQ(form["client_secret"], "csecret456");
  EXPECT_EQ(form["redirect_uri"], "http://parley.test/api/github/login/auth");
  EXPECT_TRUE(wait_revoked(1)) << "the access token is revoked after the login";

  EXPECT_EQ(json::parse(b.request(port, "GET", "/api/profile/status").body), json::parse(R"({"logged_in":true})"));
  auto profile = b.request(port, "GET", "/profile");
  ASSERT_EQ(profile.status, 200);
  EXPECT_EQ(body_json(profile), (json::object{{"username", "octocat"}, {"displayName", "The Octocat"},
                                              {"avatarURL", github.base_url() + "/avatars/octocat.png"}}));
  // Own avatar, relayed from the remote URL with the safety headers.
  auto avatar = b.request(port, "GET", "/api/profile/avatar");
  ASSERT_EQ(avatar.status, 200) << avatar.body;
  EXPECT_EQ(avatar.header("content-type"), "image/png");
  EXPECT_EQ(avatar.body, tiny_png());
  EXPECT_EQ(avatar.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(avatar.header("content-security-policy"), "default-src 'none'; sandbox");
  EXPECT_EQ(avatar.header("cache-control"), "public, max-age=300");

  // The session identifies the WebSocket too.
  auto ws = WsClient::connect(port, "/ws", {{"Cookie", b.cookie_header()}});
  const auto id = ws->register_as("");
  auto entry = json::parse(http_request(port, "GET", "/conns").body).as_object().at(id).as_object();
  EXPECT_EQ(str(entry.at("node_name")), "octocat");
  EXPECT_EQ(str(entry.at("authentication")), "session");
  EXPECT_EQ(str(entry.at("username")), "octocat");
  EXPECT_FALSE(entry.at("is_bot").as_bool());

  // The nonce was single-use: replaying the callback fails.
  auto replay = b.request(port, "GET", callback);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(str(body_json(replay).at("err")).rfind("Invalid nonce", 0), 0u) << replay.body;

  // A human account's name cannot become a bot.
  auto clash = management(socket_path(dir), "POST", "/bots/add", "application/json", R"({"username":"OctoCat"})");
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(body_json(clash), json::parse(R"({"err":"username already exists"})"));
}

TEST_F(GithubLogin, NameAndAvatarAreRefreshedAtEachLoginAndSvgIsNeverServed) {
  ServerProcess server(args());
  Browser first;
  ASSERT_EQ(login(first, server.port()).status, 307);
  GithubStandIn::User renamed;
  renamed.name = "Mona Lisa Octocat";
  renamed.avatar_path = "/avatars/evil.svg";
  github.set_user(renamed);
  Browser second;
  auto done = login(second, server.port());
  ASSERT_EQ(done.status, 307);
  EXPECT_EQ(done.header("location"), "http://parley.test/");
  auto profile = json::parse(http_request(server.port(), "GET", "/api/profile?username=octocat").body).as_object();
  EXPECT_EQ(str(profile.at("username")), "octocat") << "the username is stable";
  EXPECT_EQ(str(profile.at("displayName")), "Mona Lisa Octocat");
  // An SVG upstream is refused, not relayed.
  auto avatar = http_request(server.port(), "GET", "/api/profile/avatar?username=octocat");
  EXPECT_EQ(avatar.status, 502);
  EXPECT_EQ(json::parse(avatar.body), json::parse(R"({"err":"Upstream returned error"})"));
  EXPECT_EQ(avatar.header("content-type"), "application/json");
}

TEST_F(GithubLogin, CallbackErrorsAreClear) {
  ServerProcess server(args());
  const auto port = server.port();
  Browser b;
  auto denied = b.request(port, "GET", "/api/github/login/auth?error=access_denied&error_description=denied%20by%20user");
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(json::parse(denied.body), json::parse(R"({"err":"access_denied: denied by user"})"));
  auto no_state = b.request(port, "GET", "/api/github/login/auth?code=x");
  EXPECT_EQ(no_state.status, 400);
  EXPECT_EQ(json::parse(no_state.body), json::parse(R"({"err":"missing state"})"));

  // A callback finished in another browser (no session bound to the nonce) is refused.
  Browser alice, mallory;
  const auto callback = start_login(alice, port);
  auto stolen = mallory.request(port, "GET", callback);
  EXPECT_EQ(stolen.status, 400);
  EXPECT_NE(str(json::parse(stolen.body).at("err")).find("no session is bound"), std::string::npos) << stolen.body;
  EXPECT_TRUE(mallory.session_id.empty());

  // A code GitHub does not know: 401, and the user is not signed in.
  Browser carol;
  const auto good = start_login(carol, port);
  const auto state = query_of(good).at("state");
  auto bad_code = carol.request(port, "GET", "/api/github/login/auth?code=forged&state=" + url_encode(state));
  EXPECT_EQ(bad_code.status, 401);
  EXPECT_EQ(json::parse(carol.request(port, "GET", "/api/profile/status").body), json::parse(R"({"logged_in":false})"));
  EXPECT_EQ(http_request(port, "GET", "/api/kioubit/login/start").status, 404) << "Kioubit is not configured";
}

TEST_F(GithubLogin, LogoutNeedsOurOriginAndEndsTheSession) {
  ServerProcess server(args());
  const auto port = server.port();
  Browser b;
  ASSERT_EQ(login(b, port).status, 307);
  const std::string cookie = b.cookie_header();

  for (const std::string path : {"/api/logout", "/logout", "/api/kioubit/login/delete"}) {
    auto forged = http_request(port, "POST", path, {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
    EXPECT_EQ(forged.status, 403) << path;
  }
  EXPECT_EQ(http_request(port, "GET", "/api/logout", {{"Cookie", cookie}}).status, 405);
  EXPECT_EQ(json::parse(http_request(port, "GET", "/api/profile/status", {{"Cookie", cookie}}).body),
            json::parse(R"({"logged_in":true})"))
      << "a refused logout changes nothing";

  auto out = http_request(port, "POST", "/api/logout",
                          {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}});
  EXPECT_EQ(out.status, 200);
  EXPECT_TRUE(out.body.empty());
  EXPECT_EQ(out.header("set-cookie").rfind("session_id=; Path=/; Max-Age=0", 0), 0u) << out.header("set-cookie");
  EXPECT_EQ(json::parse(http_request(port, "GET", "/api/profile/status", {{"Cookie", cookie}}).body),
            json::parse(R"({"logged_in":false})"));
  EXPECT_EQ(http_request(port, "GET", "/api/profile", {{"Cookie", cookie}}).status, 401);
}

TEST_F(GithubLogin, SessionsAndBotTokensSurviveARestart) {
  std::string cookie, token;
  {
    ServerProcess first(args());
    Browser b;
    ASSERT_EQ(login(b, first.port()).status, 307);
    cookie = b.cookie_header();
    token = add_bot(socket_path(dir), "clock_bot", "ClockBot", tiny_png_data_url());
    EXPECT_EQ(first.stop(SIGTERM), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(socket_path(dir))) << "a clean stop removes the socket";
  ServerProcess second(args());
  const auto port = second.port();
  EXPECT_EQ(json::parse(http_request(port, "GET", "/api/profile/status", {{"Cookie", cookie}}).body),
            json::parse(R"({"logged_in":true})"));
  auto ws = WsClient::connect(port, "/ws", {{"Authorization", "Bearer " + token}});
  const auto id = ws->register_as("");
  auto entry = json::parse(http_request(port, "GET", "/conns").body).as_object().at(id).as_object();
  EXPECT_EQ(str(entry.at("authentication")), "jwt");
  EXPECT_EQ(str(entry.at("username")), "clock_bot");
  auto human = WsClient::connect(port, "/ws", {{"Cookie", cookie}});
  const auto human_id = human->register_as("");
  EXPECT_EQ(str(json::parse(http_request(port, "GET", "/conns").body).as_object().at(human_id).at("authentication")),
            "session");
  EXPECT_EQ(http_request(port, "GET", "/api/profile/avatar?username=clock_bot").body, tiny_png());
  // The bot list and the management socket are back too.
  auto list = management(socket_path(dir), "GET", "/bots");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("\"clock_bot\""), std::string::npos);
}
