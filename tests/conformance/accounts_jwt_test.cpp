// Bearer tokens at the WebSocket handshake and on /conns (PROTOCOL.md §2.2, §2.8 step 1.4, §3.1,
// §3.10), against the real binary with bot accounts made through its management socket.
#include <gtest/gtest.h>
#include <signal.h>

#include "accounts_support.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class JwtHandshake : public ::testing::Test {
protected:
  TempDir dir;
  ServerProcess server{account_args(dir)};
  std::string token = add_bot(socket_path(dir), "echo_bot", "EchoBot");
  std::string key = read_file(dir.path / "data" / "jwt-secret.key");
  std::string sub = str(json::parse(jwt_payload_json(token)).as_object().at("sub"));

  std::string claims(std::int64_t iat, std::int64_t exp) const {
    return json::serialize(json::object{{"sub", sub}, {"iat", iat}, {"exp", exp}});
  }

  // Connects with `authorization`, expects the invalid_token frame, and registers anonymously.
  void expect_refused_token(const std::string& authorization, const std::string& why) {
    SCOPED_TRACE(why);

    auto ws = WsClient::connect(server.port(), "/ws", {{"Authorization", authorization}});
    auto err = ws->next_with_key("error");
    ASSERT_TRUE(err) << "no invalid_token frame";

    EXPECT_EQ(str(err->at("error").at("code")), "invalid_token");
    EXPECT_TRUE(err->at("error").at("ref").is_null());
    const auto id = ws->register_as("");
    auto entry = conns(server.port()).at(id).as_object();
    EXPECT_EQ(str(entry.at("authentication")), "none");
    EXPECT_FALSE(entry.contains("username"));
    EXPECT_EQ(str(entry.at("node_name")).rfind("user", 0), 0u) << "anonymous default name expected";
  }
};

}  // namespace

TEST_F(JwtHandshake, ValidTokenRegistersUnderTheUsernameAndConnsSaysJwt) {
  ASSERT_FALSE(token.empty());
  // The original bots write the scheme in lower case.
  for (const std::string scheme : {"Bearer ", "bearer "}) {
    auto ws = WsClient::connect(server.port(), "/ws", {{"Authorization", scheme + token}});
    const auto id = ws->register_as("");
    auto entry = conns(server.port()).at(id).as_object();
    EXPECT_EQ(str(entry.at("node_name")), "echo_bot");
    EXPECT_EQ(str(entry.at("authentication")), "jwt");
    EXPECT_EQ(str(entry.at("username")), "echo_bot");
    EXPECT_TRUE(entry.at("is_bot").as_bool());
    for (const auto& f : ws->drain(200ms)) EXPECT_FALSE(f.contains("error")) << json::serialize(f);
  }
}

TEST_F(JwtHandshake, ExpiredWrongAlgorithmAndBadSignatureAreIgnoredWithInvalidToken) {
  const auto now = unix_now();
  const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";
  expect_refused_token("Bearer " + sign_jwt(hs256, claims(now - 7200, now - 3600), key), "expired");
  expect_refused_token("Bearer " + sign_jwt(R"({"alg":"HS384","typ":"JWT"})", claims(now, now + 3600), key, "SHA384"),
                       "HS384 with the right key");
  expect_refused_token("Bearer " + base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                           base64url(claims(now, now + 3600)) + ".",
                       "alg none");
  expect_refused_token("Bearer " + sign_jwt(hs256, claims(now, now + 3600), std::string(64, 'k')), "other key");
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  expect_refused_token("Bearer " + tampered, "tampered signature");
  expect_refused_token("Bearer not.a.jwt", "garbage");
  // Sanity: the forging itself is right, the same claims with the right key and alg pass.
  auto ok = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + sign_jwt(hs256, claims(now, now + 3600), key)}});
  const auto ok_id = ok->register_as("");
  EXPECT_EQ(str(conns(server.port()).at(ok_id).at("authentication")), "jwt");
}

TEST_F(JwtHandshake, InvalidBearerOnConnsIs401AndValidOneIsServed) {
  for (const std::string prefix : {"", "/api"}) {
    auto r = http_request(server.port(), "GET", prefix + "/conns", {{"Authorization", "Bearer " + token + "x"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(json::parse(r.body), json::parse(R"({"err":"invalid token"})"));
    EXPECT_EQ(http_request(server.port(), "GET", prefix + "/conns", {{"Authorization", "Bearer " + token}}).status, 200);
    EXPECT_EQ(http_request(server.port(), "GET", prefix + "/conns").status, 200);
  }
  auto p = http_request(server.port(), "GET", "/api/profile", {{"Authorization", "Bearer junk"}});
  EXPECT_EQ(p.status, 401);
  EXPECT_EQ(json::parse(p.body), json::parse(R"({"err":"invalid token"})"));
  auto own = http_request(server.port(), "GET", "/api/profile", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(json::parse(own.body), json::parse(R"({"username":"echo_bot","displayName":"EchoBot"})"));
}

TEST_F(JwtHandshake, VisitorsCannotTakeARegisteredUsername) {
  auto visitor = WsClient::connect(server.port());
  for (const std::string name : {"echo_bot", "ECHO_BOT", "Echo_Bot"}) {
    const auto id = visitor->register_as(name);
    const auto given = str(conns(server.port()).at(id).at("node_name"));
    EXPECT_NE(lower(given), "echo_bot") << name;
    EXPECT_EQ(given, name + "-2");
  }
  // A rename is held to the same rule.
  visitor->send_json({{"rename", {{"new_preference", {{"name", "echo_bot"}}}}}});
  auto renamed = visitor->next_with_key("rename");
  ASSERT_TRUE(renamed);
  EXPECT_NE(lower(str(renamed->at("rename").at("new_preference").at("name"))), "echo_bot");
  // The account itself keeps its name.
  auto bot = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + token}});
  const auto bot_id = bot->register_as("echo_bot");
  EXPECT_EQ(str(conns(server.port()).at(bot_id).at("node_name")), "echo_bot");
}

TEST_F(JwtHandshake, DeletedAccountsTokenIsInvalid) {
  auto r = management(socket_path(dir), "DELETE", "/bots/delete?username=echo_bot");
  ASSERT_EQ(r.status, 200) << r.body;
  expect_refused_token("Bearer " + token, "account deleted");
}

TEST(JwtRotation, RotatedKeyRevokesOldTokensAfterRestart) {
  TempDir dir;
  std::string old_token;
  {
    ServerProcess first(account_args(dir));
    old_token = add_bot(socket_path(dir), "echo_bot");
    ASSERT_EQ(first.stop(SIGTERM), 0);
  }
  const auto key_before = read_file(dir.path / "data" / "jwt-secret.key");
  auto rotate = run_server_cli({"jwt", "rotate", "--data-dir", (dir.path / "data").string()});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.err;
  EXPECT_NE(rotate.out.find("restart parley-server"), std::string::npos) << rotate.out;
  EXPECT_NE(read_file(dir.path / "data" / "jwt-secret.key"), key_before);
  EXPECT_EQ(run_server_cli({"jwt", "spin"}).exit_code, 2);

  ServerProcess second(account_args(dir));
  auto stale = WsClient::connect(second.port(), "/ws", {{"Authorization", "Bearer " + old_token}});
  auto err = stale->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err->at("error").at("code")), "invalid_token");
  auto fresh = management(socket_path(dir), "POST", "/bots/token", "application/json", R"({"username":"echo_bot"})");
  ASSERT_EQ(fresh.status, 200);
  auto ws = WsClient::connect(second.port(), "/ws",
                              {{"Authorization", "Bearer " + str(json::parse(fresh.body).at("token"))}});
  const auto id = ws->register_as("");
  EXPECT_EQ(str(conns(second.port()).at(id).at("username")), "echo_bot");
}
