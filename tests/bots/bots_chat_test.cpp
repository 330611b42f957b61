// Echo, Counter and Clock bots through the real server: exact replies, ACK before reply,
// pongs, msgpatch clocks, hostile input, and reconnection after a server restart.
#include <gtest/gtest.h>

#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

// Index of the first received message matching pred, or -1.
template <class P>
int find(const std::vector<Received>& v, P pred, int from = 0) {
  for (size_t i = static_cast<size_t>(std::max(from, 0)); i < v.size(); ++i)
    if (pred(v[i].message)) return static_cast<int>(i);
  return -1;
}

int find_ack(const std::vector<Received>& v, const std::string& id) {
  return find(v, [&](const protocol::ChatMessage& m) { return m.ack && *m.ack == id; });
}

int find_text(const std::vector<Received>& v, const std::string& text) {
  return find(v, [&](const protocol::ChatMessage& m) { return m.message && *m.message == text; });
}

class BotsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack = new Stack({"--bots", "EchoBot,CounterBot,ClockBot"});
    ASSERT_TRUE(stack->wait_for_nodes({"EchoBot", "CounterBot", "ClockBot"}, 20s)) << stack->bots_log();
  }
  static void TearDownTestSuite() {
    delete stack;
    stack = nullptr;
  }
  // Sends text and waits for its ACK and for `reply`; checks the ACK came first.
  // Sends text; the reply must be the first text after the message's ACK (§9.1: ACK first).
  void expect_reply(Client& c, const std::string& bot, const std::string& text, const std::string& reply) {
    auto before = c.received(bot).size();
    auto id = c.send_text(bot, text);
    ASSERT_TRUE(c.wait(5s, [&] {
      auto r = c.received(bot);
      int ack = find_ack(r, id);
      return ack >= 0 && find(r, [](const protocol::ChatMessage& m) { return m.message.has_value(); }, ack) >= 0;
    })) << "no ACK or reply for '" << text << "'";
    auto r = c.received(bot);
    int ack = find_ack(r, id);
    int first_text = find(r, [](const protocol::ChatMessage& m) { return m.message.has_value(); }, static_cast<int>(before));
    EXPECT_GT(first_text, ack) << "the ACK must come before the reply";
    EXPECT_EQ(*r[static_cast<size_t>(first_text)].message.message, reply);
  }
  static Stack* stack;
};
Stack* BotsTest::stack = nullptr;

TEST_F(BotsTest, EchoBotEchoesWithTheOriginalTimestampAndAnswersPings) {
  Client c(stack->port());
  ASSERT_TRUE(c.connect_to("EchoBot"));
  auto id = c.send_text("EchoBot", "hello 🎉\nsecond line");
  ASSERT_TRUE(c.wait(5s, [&] { return find_text(c.received("EchoBot"), "hello 🎉\nsecond line") >= 0; }));
  auto r = c.received("EchoBot");
  auto& echo = r[static_cast<size_t>(find_text(r, "hello 🎉\nsecond line"))].message;
  EXPECT_NE(echo.message_id, id);
  EXPECT_EQ(echo.from_node_id, c.bot_id("EchoBot"));
  EXPECT_EQ(echo.to_node_id, c.node_id());
  EXPECT_GE(find_ack(r, id), 0);
  EXPECT_LT(find_ack(r, id), find_text(r, "hello 🎉\nsecond line"));

  // Original timestamp kept; richText echoed too; /start is just echoed.
  c.send_raw("EchoBot", "chat",
             R"({"messageId":"rt-1","fromNodeId":"x","toNodeId":"y","timestamp":1234,"richText":{"content":"<b>hi</b>","type":"text/plain"}})");
  ASSERT_TRUE(c.wait(5s, [&] {
    return find(c.received("EchoBot"), [](const protocol::ChatMessage& m) {
             return m.rich_text && m.rich_text->content == "<b>hi</b>" && m.timestamp == 1234;
           }) >= 0;
  }));
  expect_reply(c, "EchoBot", "/start", "/start");

  // Pings on the ping channel get pongs with the same seq; pongs, ACKs and garbage get nothing.
  c.send_raw("EchoBot", "ping", R"({"messageId":"p1","timestamp":1,"fromNodeId":"a","toNodeId":"b","ping":{"direction":"ping","seq":7}})");
  ASSERT_TRUE(c.wait(5s, [&] {
    return find(c.received("EchoBot"), [](const protocol::ChatMessage& m) {
             return m.ping && m.ping->direction == "pong" && m.ping->seq == 7;
           }) >= 0;
  }));
  auto before = c.received("EchoBot").size();
  for (const char* garbage : {"not json", "[1]", "{\"message\":\"no id\"}", "{\"messageId\":\"d\",\"delete\":{\"messageId\":\"x\"}}",
                              "{\"messageId\":\"a\",\"ack\":{\"messageId\":\"zz\"}}"})
    c.send_raw("EchoBot", "chat", garbage);
  c.send_raw("EchoBot", "chat", std::string(200000, '{'));  // deep/huge garbage: no crash
  expect_reply(c, "EchoBot", "still alive", "still alive");
  auto after = c.received("EchoBot");
  // Exactly the ACK and the echo of "still alive" arrived after the garbage.
  EXPECT_EQ(after.size(), before + 2);
}

TEST_F(BotsTest, CounterBotCountsPerPeer) {
  Client a(stack->port(), "alice"), b(stack->port(), "bob");
  ASSERT_TRUE(a.connect_to("CounterBot"));
  ASSERT_TRUE(b.connect_to("CounterBot"));
  expect_reply(a, "CounterBot", " /start ",
               "🔢 Counter Bot - Available Commands:\n\n/start - Show this help message\n/increase - Increase your personal "
               "counter by 1\n/reset - Reset your personal counter to 0\n\nYour counter is personal and independent from "
               "other users!");
  expect_reply(a, "CounterBot", "/increase", "Counter increased! Current value: 1");
  expect_reply(a, "CounterBot", "/increase", "Counter increased! Current value: 2");
  expect_reply(b, "CounterBot", "/increase", "Counter increased! Current value: 1");  // personal
  expect_reply(a, "CounterBot", "/reset", "Counter reset! Current value: 0");
  expect_reply(a, "CounterBot", "/increase", "Counter increased! Current value: 1");
  // Unknown text: only the ACK.
  auto id = a.send_text("CounterBot", "hello");
  ASSERT_TRUE(a.wait(5s, [&] { return find_ack(a.received("CounterBot"), id) >= 0; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(a.received("CounterBot").size(), static_cast<size_t>(find_ack(a.received("CounterBot"), id) + 1));
}

TEST_F(BotsTest, ClockBotPatchesItsMessageEverySecondOnOneChannel) {
  Client c(stack->port());
  ASSERT_TRUE(c.connect_to("ClockBot"));
  expect_reply(c, "ClockBot", "/start",
               "🕐 Clock Bot - Available Commands:\n\n/start - Show this help message\n/now - Display a real-time clock "
               "that updates every second\n\nThe clock will continue updating until you send another command or "
               "disconnect.");
  c.send_text("ClockBot", "/now");
  const std::string prefix = "🕐 Current Time: ";
  ASSERT_TRUE(c.wait(5s, [&] {
    return find(c.received("ClockBot"), [&](const protocol::ChatMessage& m) {
             return m.message && m.message->rfind(prefix, 0) == 0;
           }) >= 0;
  }));
  auto r = c.received("ClockBot");
  auto clock_id = r[static_cast<size_t>(find(r, [&](const protocol::ChatMessage& m) {
                      return m.message && m.message->rfind(prefix, 0) == 0;
                    }))].message.message_id;
  ASSERT_TRUE(c.wait(5s, [&] { return c.patches("ClockBot").size() >= 3; }));
  for (const auto& p : c.patches("ClockBot")) {
    EXPECT_EQ(p.kind, protocol::PatchKind::replace);
    EXPECT_EQ(p.message_id, clock_id);
    // RFC 3339 with seconds and a zone: 2025-01-01T12:00:00Z or +01:00.
    ASSERT_EQ(p.value.rfind(prefix, 0), 0u);
    auto t = p.value.substr(prefix.size());
    EXPECT_TRUE(t.size() == 20 || t.size() == 25) << t;
    EXPECT_EQ(t[10], 'T');
  }
  // A second /now restarts on the same channel; any text stops it.
  c.send_text("ClockBot", "/now");
  ASSERT_TRUE(c.wait(5s, [&] { return c.patches("ClockBot").size() >= 5; }));
  EXPECT_EQ(c.patch_channels("ClockBot"), 1) << "one msgpatch channel per peer, reused";
  auto stop = c.send_text("ClockBot", "stop");
  ASSERT_TRUE(c.wait(5s, [&] { return find_ack(c.received("ClockBot"), stop) >= 0; }));
  std::this_thread::sleep_for(500ms);  // a patch already on its way may still land
  auto n = c.patches("ClockBot").size();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(c.patches("ClockBot").size(), n) << "the clock kept running after another text";
}

TEST_F(BotsTest, APeerThatLeavesIsFreedAndBotsReconnectAfterAServerRestart) {
  {
    Client c(stack->port(), "leaver");
    ASSERT_TRUE(c.connect_to("CounterBot"));
    expect_reply(c, "CounterBot", "/increase", "Counter increased! Current value: 1");
  }  // the client disconnects: the server sends offline, the bot frees the peer
  ASSERT_TRUE([&] {
    for (int i = 0; i < 50; ++i, std::this_thread::sleep_for(100ms))
      if (stack->bots_log().find("left (offline)") != std::string::npos) return true;
    return false;
  }()) << stack->bots_log();

  stack->stop_server();
  std::this_thread::sleep_for(500ms);
  stack->start_server();
  ASSERT_TRUE(stack->wait_for_nodes({"EchoBot", "CounterBot", "ClockBot"}, 20s)) << stack->bots_log();
  Client c(stack->port());
  ASSERT_TRUE(c.connect_to("EchoBot"));
  expect_reply(c, "EchoBot", "after restart", "after restart");
  ASSERT_TRUE(c.connect_to("CounterBot"));
  expect_reply(c, "CounterBot", "/increase", "Counter increased! Current value: 1");
}

}  // namespace
}  // namespace parley::bots::test
