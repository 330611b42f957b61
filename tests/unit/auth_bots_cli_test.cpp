// `parley-server bots ...` argument parsing and output, checked against the real BotAccounts.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "auth_test_support.hpp"
#include "accounts/bot_accounts.hpp"
#include "app/bots_cli.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;
using namespace parley::app;
using parley::test::TempDir;

TEST(AuthBotsCli, ParsesCommands) {
  auto p = parse_bots_cli({"list"});
  ASSERT_TRUE(p.request);
  EXPECT_EQ(p.request->method, "GET");
  EXPECT_EQ(p.request->target, "/bots");
  p = parse_bots_cli({"token", "echo_bot"});
  EXPECT_EQ(p.request->target, "/bots/token");
  EXPECT_EQ(p.request->body, R"({"username":"echo_bot"})");
  p = parse_bots_cli({"delete", "a b"});
  EXPECT_EQ(p.request->method, "DELETE");
  EXPECT_EQ(p.request->target, "/bots/delete?username=a%20b");
  p = parse_bots_cli({"add", "echo_bot", "--display-name", "Echo \"Bot\"", "--avatar-url", "https://a.example/e.png"});
  ASSERT_TRUE(p.request) << p.error;
  const auto body = boost::json::parse(p.request->body).as_object();
  EXPECT_EQ(body.at("display_name").as_string(), "Echo \"Bot\"");
  EXPECT_EQ(body.at("avatar_url").as_string(), "https://a.example/e.png");
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {}, {"nope"}, {"add"}, {"add", "--display-name"}, {"add", "x", "--display-name"}, {"add", "x", "--bogus", "1"},
           {"list", "x"}, {"token", "a", "b"}, {"add", "x", "--avatar-url", "u", "--avatar-file", "f"},
           {"add", "x", "--avatar-file", "/nonexistent"}}) {
    EXPECT_FALSE(parse_bots_cli(bad).request);
    EXPECT_FALSE(parse_bots_cli(bad).error.empty());
  }
}

TEST(AuthBotsCli, AvatarFilesBecomeDataUrls) {
  TempDir tmp;
  const auto png = tmp.path() / "a.png";
  std::ofstream(png, std::ios::binary) << std::string("\x89PNG\r\n\x1a\n", 8) << "rest";
  auto p = parse_bots_cli({"add", "x", "--avatar-file", png.string()});
  ASSERT_TRUE(p.request) << p.error;
  EXPECT_EQ(boost::json::parse(p.request->body).at("avatar_url").as_string(),
            "data:image/png;base64," + base64_encode(std::string("\x89PNG\r\n\x1a\nrest", 12)));
  const auto dataurl = tmp.path() / "a.dataurl";
  std::ofstream(dataurl) << "data:image/gif;base64,R0lGODlh\n";
  p = parse_bots_cli({"add", "x", "--avatar-file", dataurl.string()});
  EXPECT_EQ(boost::json::parse(p.request->body).at("avatar_url").as_string(), "data:image/gif;base64,R0lGODlh");
  const auto svg = tmp.path() / "a.svg";
  std::ofstream(svg) << "<svg/>";
  EXPECT_FALSE(parse_bots_cli({"add", "x", "--avatar-file", svg.string()}).request);
  EXPECT_EQ(sniff_image_type(std::string_view("RIFF\0\0\0\0WEBPVP8", 15)), "image/webp");
  EXPECT_EQ(sniff_image_type(std::string("\xff\xd8\xff\xe0", 4)), "image/jpeg");
}

TEST(AuthBotsCli, RoundTripThroughTheManagementApi) {
  TempDir tmp;
  parley::storage::SqliteStorage storage(tmp.path());
  JwtService jwt(JwtKey(std::string(32, 'k')), [&](std::string_view id) { return storage.user_by_id(id).has_value(); });
  BotAccounts bots(storage, jwt);
  auto run = [&](std::vector<std::string> args) {
    const auto p = parse_bots_cli(args);
    EXPECT_TRUE(p.request) << p.error;
    const auto r = bots.handle(ManagementRequest{p.request->method, p.request->target, p.request->content_type, p.request->body}, 1000);
    return format_bots_cli_reply(*p.request, r.status, r.body);
  };
  auto out = run({"add", "echo_bot", "--display-name", "EchoBot"});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(std::count(out.out.begin(), out.out.end(), '.'), 2);  // a bare JWT and a newline
  EXPECT_TRUE(jwt.verify(out.out.substr(0, out.out.size() - 1), 1000));
  EXPECT_EQ(run({"list"}).out, "echo_bot\tEchoBot\t-\n");
  EXPECT_EQ(run({"delete", "echo_bot"}).out, "deleted echo_bot\n");
  out = run({"token", "echo_bot"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.err, "error: no such bot (HTTP 404)\n");
  EXPECT_EQ(format_bots_cli_reply({}, 502, "<html>").exit_code, 1);
}
