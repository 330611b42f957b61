// /profile, /profile/status and /profile/avatar for accounts made through the management API
// (PROTOCOL.md §3.4, §3.5): shapes, error texts, image types and safety headers, HEAD.
#include <gtest/gtest.h>

#include "accounts_support.hpp"

using namespace parley::conformance;

namespace {

class Profiles : public ::testing::Test {
protected:
  TempDir dir;
  ServerProcess server{account_args(dir)};
  std::uint16_t port() const { return server.port(); }
};

std::string wrap76(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 76) out += s.substr(i, 76) + "\r\n";
  return out;
}

}  // namespace

TEST_F(Profiles, ProfileByUsernameOwnProfileAndStatus) {
  add_bot(socket_path(dir), "counter_bot", "CounterBot", tiny_png_data_url());
  add_bot(socket_path(dir), "plain_bot");
  for (const std::string prefix : {"", "/api"}) {
    auto p = http_request(port(), "GET", prefix + "/profile?username=COUNTER_BOT");
    ASSERT_EQ(p.status, 200);
    EXPECT_EQ(p.header("content-type"), "application/json");
    EXPECT_EQ(json::parse(p.body), (json::object{{"username", "counter_bot"}, {"displayName", "CounterBot"},
                                                 {"avatarURL", tiny_png_data_url()}}));
    // Empty values are omitted.
    EXPECT_EQ(json::parse(http_request(port(), "GET", prefix + "/profile?username=plain_bot").body),
              json::parse(R"({"username":"plain_bot"})"));
    auto missing = http_request(port(), "GET", prefix + "/profile?username=nobody");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(json::parse(missing.body), json::parse(R"({"err":"User is not found"})"));
    auto anonymous = http_request(port(), "GET", prefix + "/profile?username=");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(json::parse(anonymous.body), json::parse(R"({"err":"Unauthorized"})"));
    EXPECT_EQ(json::parse(http_request(port(), "GET", prefix + "/profile/status").body),
              json::parse(R"({"logged_in":false})"));
    auto wrong = http_request(port(), "POST", prefix + "/profile");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_EQ(wrong.header("allow"), "GET, HEAD");
  }
}

TEST_F(Profiles, AvatarsAreServedWithTheirTypeAndSafetyHeaders) {
  const std::string jpeg = "\xff\xd8\xff\xe0jpeg-bytes";
  const std::string gif = "GIF89a-gif-bytes";
  const std::string webp = std::string("RIFF\x10\0\0\0WEBPVP8 ", 16);
  add_bot(socket_path(dir), "png_bot", "", tiny_png_data_url());
  add_bot(socket_path(dir), "jpeg_bot", "", "data:image/jpeg;base64," + base64_std(jpeg));
  add_bot(socket_path(dir), "gif_bot", "", "data:image/gif;base64," + base64_std(gif));
  // Data URLs made with `base64` are wrapped at 76 columns and end with a newline.
  add_bot(socket_path(dir), "webp_bot", "", "  data:image/webp;base64," + wrap76(base64_std(webp + std::string(200, 'x'))));
  add_bot(socket_path(dir), "no_avatar_bot");

  const std::pair<std::string, std::pair<std::string, std::string>> cases[] = {
      {"png_bot", {"image/png", tiny_png()}},
      {"jpeg_bot", {"image/jpeg", jpeg}},
      {"gif_bot", {"image/gif", gif}},
      {"webp_bot", {"image/webp", webp + std::string(200, 'x')}}};
  for (const auto& [user, expected] : cases) {
    SCOPED_TRACE(user);
    for (const std::string path : {"/profile/avatar", "/api/profile/avatar"}) {
      auto r = http_request(port(), "GET", path + "?username=" + user);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.header("content-type"), expected.first);
      EXPECT_EQ(r.body, expected.second);
      EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
      EXPECT_EQ(r.header("content-security-policy"), "default-src 'none'; sandbox");
      EXPECT_EQ(r.header("cache-control"), "public, max-age=300");
      EXPECT_TRUE(r.header("content-disposition").empty());
    }
  }
  auto head = http_request(port(), "HEAD", "/api/profile/avatar?username=png_bot");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(tiny_png().size()));
  EXPECT_TRUE(head.body.empty());

  auto none = http_request(port(), "GET", "/api/profile/avatar?username=no_avatar_bot");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(json::parse(none.body), json::parse(R"({"err":"No avatar URL found"})"));
  auto unknown = http_request(port(), "GET", "/api/profile/avatar?username=ghost");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body), json::parse(R"({"err":"User is not found"})"));
  EXPECT_EQ(http_request(port(), "GET", "/api/profile/avatar").status, 401);
}

TEST_F(Profiles, SvgAvatarsCannotBeStored) {
  const std::string svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
  auto r = management(socket_path(dir), "POST", "/bots/add", "application/json",
                      json::serialize(json::object{{"username", "svg_bot"},
                                                   {"avatar_url", "data:image/svg+xml;base64," + base64_std(svg)}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(std::string(json::parse(r.body).at("err").as_string()).rfind("invalid avatar_url", 0), 0u) << r.body;
  EXPECT_EQ(http_request(port(), "GET", "/api/profile?username=svg_bot").status, 404) << "nothing was created";
}

TEST(AccountRoutesCors, AllowListedOriginGetsCorsOnAccountRoutesIncludingLogout) {
  TempDir dir;
  ServerProcess server(account_args(dir, {"--allowed-origin", "http://app.example"}));
  const Headers from_app = {{"Origin", "http://app.example"}};
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/profile/status"}, {"GET", "/api/profile?username=ghost"}, {"POST", "/api/logout"}}) {
    auto r = http_request(server.port(), method, path, from_app);
    EXPECT_EQ(r.header("access-control-allow-origin"), "http://app.example") << path;
    EXPECT_EQ(r.header("access-control-allow-credentials"), "true") << path;
  }
  auto other = http_request(server.port(), "GET", "/api/profile/status", {{"Origin", "http://other.example"}});
  EXPECT_TRUE(other.header("access-control-allow-origin").empty());
  EXPECT_EQ(http_request(server.port(), "POST", "/api/logout", {{"Origin", "http://other.example"}}).status, 403);
}
