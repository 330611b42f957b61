// The management API (PROTOCOL.md §5) over real SQLite and real JWTs; multipart parsing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth_test_support.hpp"
#include "accounts/bot_accounts.hpp"
#include "accounts/http/multipart.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
namespace json = boost::json;
using parley::storage::SqliteStorage;
using parley::test::TempDir;

namespace {

constexpr std::int64_t kNow = 1735689600;

std::string form(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& boundary = "XyZ") {
  std::string body;
  for (const auto& [k, v] : fields)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  return body + "--" + boundary + "--\r\n";
}

class AuthBots : public ::testing::Test {
 protected:
  TempDir tmp;
  SqliteStorage storage{tmp.path()};
  JwtService jwt{JwtKey(std::string(32, 'k')), [this](std::string_view id) { return storage.user_by_id(id).has_value(); }};
  std::vector<std::string> deleted;
  BotAccounts bots{storage, jwt, [this](const parley::storage::User& u) { deleted.push_back(u.id); }};

  HttpReply call(std::string_view method, std::string_view target, std::string_view body = "",
                 std::string_view content_type = "application/json") {
    return bots.handle(ManagementRequest{method, target, content_type, body}, kNow);
  }
  std::string token_of(const HttpReply& r) { return std::string(json::parse(r.body).at("token").as_string()); }
};

}  // namespace

TEST_F(AuthBots, AddWithJsonReturnsAWorkingToken) {
  const auto r = call("POST", "/bots/add", R"({"username":"echo_bot","display_name":"EchoBot","avatar_url":""})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const auto v = jwt.verify(token_of(r), kNow);
  ASSERT_TRUE(v);
  const auto user = storage.user_by_id(v.subject);
  EXPECT_EQ(user->username, "echo_bot");
  EXPECT_EQ(user->display_name, "EchoBot");
  EXPECT_TRUE(user->is_bot);
}

TEST_F(AuthBots, AddWithMultipartLikeCurlForm) {
  const std::string avatar = "data:image/png;base64," + base64_encode("png-bytes") + "\n";  // `<file` keeps the newline
  const auto r = call("POST", "/bots/add",
                      form({{"username", "music_bot"}, {"display_name", "MusicBot"}, {"avatar_url", avatar}}),
                      "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto user = storage.user_by_username("music_bot");
  EXPECT_EQ(user->avatar_url, "data:image/png;base64," + base64_encode("png-bytes"));
  // No Content-Type means JSON.
  EXPECT_EQ(call("POST", "/bots/add", R"({"username":"clock_bot"})", "").status, 200u);
}

TEST_F(AuthBots, AddAgainUpdatesTheBotAndOldTokensStayValid) {
  const auto first = call("POST", "/bots/add", R"({"username":"echo_bot","display_name":"A"})");
  const auto second = call("POST", "/bots/add", R"({"username":"Echo_Bot","display_name":"B","avatar_url":"https://x.example/a.png"})");
  ASSERT_EQ(second.status, 200u);
  EXPECT_NE(token_of(first), token_of(second));
  EXPECT_TRUE(jwt.verify(token_of(first), kNow));
  EXPECT_TRUE(jwt.verify(token_of(second), kNow));
  const auto u = storage.user_by_username("echo_bot");
  EXPECT_EQ(u->username, "echo_bot");
  EXPECT_EQ(u->display_name, "B");
  EXPECT_EQ(u->avatar_url, "https://x.example/a.png");
  EXPECT_EQ(storage.list_bots().size(), 1u);
}

TEST_F(AuthBots, HumanUsernameConflicts) {
  parley::storage::User human;
  human.id = "h1";
  human.username = "alice";
  ASSERT_EQ(storage.insert_user(human), parley::storage::InsertUserResult::ok);
  const auto r = call("POST", "/bots/add", R"({"username":"ALICE"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(r.body, R"({"err":"username already exists"})");
  EXPECT_EQ(call("DELETE", "/bots/delete?username=alice").status, 404u);  // not a bot
  EXPECT_EQ(call("POST", "/bots/token", R"({"username":"alice"})").status, 404u);
  EXPECT_TRUE(storage.user_by_id("h1"));
}

TEST_F(AuthBots, ValidationErrors) {
  struct Case {
    std::string body, err;
  };
  const std::vector<Case> cases = {
      {R"({})", "username is required"},
      {R"({"username":""})", "username is required"},
      {R"({"username":null})", "username is required"},
      {R"({"username":"-bad"})", "invalid username: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
      {R"({"username":"a b"})", "invalid username: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
      {R"({"username":"x'; DROP TABLE users; --"})", "invalid username: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
      {R"({"username":")" + std::string(65, 'a') + R"("})", "invalid username: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
      {R"({"username":42})", "invalid username: must be a string"},
      {R"({"username":"ok","display_name":["x"]})", "invalid display_name: must be a string"},
      {R"({"username":"ok","display_name":"a\u0007b"})", "invalid display_name: control characters are not allowed"},
      {R"({"username":"ok","display_name":")" + std::string(129, 'd') + R"("})", "invalid display_name: at most 128 characters"},
      {R"({"username":"ok","avatar_url":"http://insecure.example/a.png"})", "invalid avatar_url: must be empty, an https URL or an image data URL"},
      {R"({"username":"ok","avatar_url":"data:image/svg+xml;base64,PHN2Zz4="})", "invalid avatar_url: unsupported MIME type (allowed: PNG, JPEG, WebP, GIF)"},
      {R"({"username":"ok","avatar_url":"data:image/png;base64,%%%"})", "invalid avatar_url: not base64 encoded"},
      {R"([1,2])", "invalid JSON body: expected an object"},
  };
  for (const auto& c : cases) {
    const auto r = call("POST", "/bots/add", c.body);
    EXPECT_EQ(r.status, 400u) << c.body;
    EXPECT_EQ(json::parse(r.body).at("err").as_string(), c.err) << c.body;
  }
  EXPECT_EQ(std::string(json::parse(call("POST", "/bots/add", "{\"username\":").body).at("err").as_string()).rfind(
                "invalid JSON body: ", 0),
            0u);
  EXPECT_EQ(std::string(json::parse(call("POST", "/bots/add", "").body).at("err").as_string()).rfind("invalid JSON body: ", 0),
            0u);
  // 128 code points of multi-byte text are fine.
  std::string name;
  for (int i = 0; i < 128; ++i) name += "\xc3\xa9";
  EXPECT_EQ(call("POST", "/bots/add", R"({"username":"ok","display_name":")" + name + R"("})").status, 200u);
  EXPECT_TRUE(storage.list_bots().size() == 1);
}

TEST_F(AuthBots, ContentTypes) {
  auto r = call("POST", "/bots/add", "username=x", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"err":"unsupported content type: application/x-www-form-urlencoded"})");
  EXPECT_EQ(call("POST", "/bots/add", "x", "text/plain; charset=utf-8").body,
            R"({"err":"unsupported content type: text/plain; charset=utf-8"})");
  EXPECT_EQ(call("POST", "/bots/add", R"({"username":"j"})", "Application/JSON; charset=utf-8").status, 200u);
  EXPECT_EQ(call("POST", "/bots/add", "x", "multipart/form-data").body,
            R"({"err":"invalid multipart body: missing boundary"})");
  EXPECT_EQ(call("POST", "/bots/add", "garbage", "multipart/form-data; boundary=XyZ").body,
            R"({"err":"invalid multipart body: no boundary found"})");
}

TEST_F(AuthBots, DeleteRevokesTokensAndFreesTheName) {
  const auto added = call("POST", "/bots/add", R"({"username":"chat_bot"})");
  const std::string id = storage.user_by_username("chat_bot")->id;
  const auto r = call("DELETE", "/bots/delete?username=chat_bot");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"deleted":"chat_bot"})");
  EXPECT_EQ(deleted, std::vector<std::string>{id});
  EXPECT_EQ(jwt.verify(token_of(added), kNow).error, JwtService::Error::unknown_account);
  EXPECT_EQ(call("DELETE", "/bots/delete?username=chat_bot").body, R"({"err":"no such bot"})");
  // Added again: a new account; the old token stays dead.
  EXPECT_EQ(call("POST", "/bots/add", R"({"username":"chat_bot"})").status, 200u);
  EXPECT_FALSE(jwt.verify(token_of(added), kNow));
  // POST with JSON or multipart.
  EXPECT_EQ(call("POST", "/bots/delete", R"({"username":"chat_bot"})").status, 200u);
  call("POST", "/bots/add", R"({"username":"b2"})");
  EXPECT_EQ(call("POST", "/bots/delete", form({{"username", "b2"}}), "multipart/form-data; boundary=XyZ").status, 200u);
  EXPECT_EQ(call("DELETE", "/bots/delete").body, R"({"err":"username is required"})");
  EXPECT_EQ(call("POST", "/bots/delete", "{}").body, R"({"err":"username is required"})");
}

TEST_F(AuthBots, ListAndToken) {
  call("POST", "/bots/add", R"({"username":"zeta","display_name":"Z","avatar_url":"https://a.example/z.png"})");
  call("POST", "/bots/add", R"({"username":"alpha"})");
  const auto list = call("GET", "/bots");
  ASSERT_EQ(list.status, 200u);
  const auto v = json::parse(list.body);
  const auto& arr = v.at("bots").as_array();
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0].at("username").as_string(), "alpha");
  EXPECT_EQ(arr[0].at("has_avatar").as_bool(), false);
  EXPECT_EQ(arr[1].at("display_name").as_string(), "Z");
  EXPECT_EQ(arr[1].at("has_avatar").as_bool(), true);
  EXPECT_EQ(arr[1].at("created_at").as_int64(), kNow);

  const auto t = call("POST", "/bots/token", R"({"username":"zeta"})");
  ASSERT_EQ(t.status, 200u);
  EXPECT_EQ(storage.user_by_id(jwt.verify(token_of(t), kNow).subject)->username, "zeta");
  EXPECT_EQ(call("POST", "/bots/token", R"({"username":"nobody"})").body, R"({"err":"no such bot"})");
  EXPECT_EQ(call("POST", "/bots/token", "{}").status, 400u);
}

TEST_F(AuthBots, RoutingAndMethods) {
  auto r = call("GET", "/nope");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"err":"no handlers matched the request."})");
  EXPECT_EQ(call("GET", "/bots/add/").status, 404u);
  r = call("GET", "/bots/add");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.header("Allow"), "POST");
  EXPECT_EQ(call("POST", "/bots").header("Allow"), "GET, HEAD");
  EXPECT_EQ(call("PUT", "/bots/delete").header("Allow"), "DELETE, POST");
  EXPECT_EQ(call("GET", "/bots/token").status, 405u);
  EXPECT_EQ(call("POST", "/bots/add", std::string(BotAccounts::kMaxBodyBytes + 1, ' ')).status, 413u);
}

TEST(AuthMultipart, ParsesFieldsFilesAndQuotedNames) {
  const std::string body =
      "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
      "--b\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x\\\".txt\"\r\nContent-Type: text/plain\r\n\r\n"
      "line1\r\nline2\r\n--b--\r\nepilogue";
  const auto m = parse_multipart(body, "b");
  ASSERT_TRUE(m.error.empty()) << m.error;
  ASSERT_EQ(m.fields.size(), 2u);
  EXPECT_EQ(m.fields[0].name, "a");
  EXPECT_EQ(m.fields[0].value, "1");
  EXPECT_EQ(m.fields[1].filename, "x\".txt");
  EXPECT_EQ(m.fields[1].value, "line1\r\nline2");
  EXPECT_TRUE(parse_multipart("--b--\r\n", "b").fields.empty());
}

TEST(AuthMultipart, MalformedBodiesAreErrorsNotCrashes) {
  const std::vector<std::string> bad = {
      "", "--b", "--b\r\n", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
      "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n",
      "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\nx\r\n--b--",
      "--b\r\nNoColonHeader\r\n\r\nx\r\n--b--", "--b\r\n\r\nx\r\n--b--", "--bX\r\n", std::string(100000, '-')};
  for (const auto& b : bad) EXPECT_FALSE(parse_multipart(b, "b").error.empty()) << b.substr(0, 60);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n";
  EXPECT_EQ(parse_multipart(many + "--b--", "b").error, "too many parts");
  EXPECT_EQ(parse_multipart("x", std::string(71, 'b')).error, "bad boundary");
}

TEST(AuthMultipart, MediaTypes) {
  const auto mt = parse_media_type(R"(Multipart/Form-Data; Boundary="a b;c"; charset=utf-8)");
  ASSERT_TRUE(mt);
  EXPECT_EQ(mt->type, "multipart/form-data");
  EXPECT_EQ(mt->params.at("boundary"), "a b;c");
  EXPECT_EQ(mt->params.at("charset"), "utf-8");
  EXPECT_FALSE(parse_media_type("json"));
  EXPECT_FALSE(parse_media_type("/json"));
  EXPECT_FALSE(parse_media_type("a/b; x"));
  EXPECT_FALSE(parse_media_type("a/b; x=\"open"));
}
