// Look-alike and invisible names (issue 12, F5; PROTOCOL.md §2.8 steps 1.3 and 1.4): a visitor
// cannot pose as the bot echo_bot with Cyrillic, full-width or invisible characters. Real server,
// a bot account made through its management socket.
#include <gtest/gtest.h>

#include "accounts_support.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }

// Registers with `name` sent as raw JSON text (so \u escapes reach the server as written).
json::object register_raw(WsClient& ws, const std::string& json_name) {
  ws.send(R"({"register":{"node_name":")" + json_name + R"("}})");
  auto reply = ws.next_with_key("register");
  if (!reply) throw std::runtime_error("no register reply");
  return reply->at("register").as_object();
}

class ConfusableNames : public ::testing::Test {
protected:
  TempDir dir;
  ServerProcess server{account_args(dir)};
  std::string token = add_bot(socket_path(dir), "echo_bot", "EchoBot");
};

}  // namespace

TEST_F(ConfusableNames, VisitorsGetAVariantOfALookAlikeOfABotsName) {
  auto visitor = WsClient::connect(server.port());
  const std::string cyrillic = "\u0435cho_bot", full_width = "\uFF45\uFF43\uFF48\uFF4F_bot";
  EXPECT_EQ(str(register_raw(*visitor, "\\u0435cho_bot").at("node_name")), cyrillic + "-2");
  EXPECT_EQ(str(register_raw(*visitor, "\\uff45\\uff43\\uff48\\uff4f_bot").at("node_name")), full_width + "-2");
  EXPECT_EQ(str(register_raw(*visitor, "ECHO_B\\u041ET").at("node_name")), "ECHO_B\u041ET-2");  // Cyrillic О

  // A rename is held to the same rule.
  visitor->send(R"({"rename":{"new_preference":{"name":"\u0435cho_bot"}}})");
  auto renamed = visitor->next_with_key("rename");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(str(renamed->at("rename").at("new_preference").at("name")), cyrillic + "-2");

  // The bot itself may use any look-alike of its own name.
  auto bot = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(str(register_raw(*bot, "\\u0435cho_bot").at("node_name")), cyrillic);
}

TEST_F(ConfusableNames, InvisibleCharactersMakeANameInvalid) {
  auto visitor = WsClient::connect(server.port());
  for (const std::string name : {"ec\\u200bho", "\\ufeffecho_bot", "echo\\u00adbot", "echo\\u2060"}) {
    SCOPED_TRACE(name);
    visitor->send(R"({"register":{"node_name":")" + name + R"("}})");
    auto err = visitor->next_with_key("error");
    ASSERT_TRUE(err);
    EXPECT_EQ(str(err->at("error").at("code")), "bad_field");
    EXPECT_EQ(str(err->at("error").at("ref")), "register.node_name");
    auto reply = visitor->next_with_key("register");
    ASSERT_TRUE(reply);
    EXPECT_EQ(str(reply->at("register").at("node_name")).substr(0, 4), "user");  // the default name
  }
  // A rename to such a name is rejected as a whole.
  visitor->send(R"({"rename":{"new_preference":{"name":"ec\u200bho_bot"}}})");
  auto err = visitor->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err->at("error").at("ref")), "rename.new_preference.name");

  // Emoji sequences keep their joiners and variation selectors.
  EXPECT_EQ(str(register_raw(*visitor, "\\ud83d\\udc69\\u200d\\ud83d\\udcbb \\u2764\\ufe0f").at("node_name")),
            "\U0001F469\u200D\U0001F4BB \u2764\uFE0F");
}

TEST_F(ConfusableNames, ABotNameThatLooksLikeAnotherIsRefused) {
  auto r = management(socket_path(dir), "POST", "/bots/add", "application/json", R"({"username":"ech0_bot"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("looks like an existing account"), std::string::npos) << r.body;
  r = management(socket_path(dir), "POST", "/bots/add", "application/json", R"({"username":"echo_bot2"})");
  EXPECT_EQ(r.status, 200) << r.body;
}
