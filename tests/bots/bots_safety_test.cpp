// `/safety` through the real server and bots: the number the bot sends is the one this end
// computes from its own applied descriptions, and answering it disturbs no bot (CounterBot keeps
// counting, EchoBot does not echo it, ChatBot does not send it to the model).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

// Texts from the bot, in arrival order.
std::vector<std::string> texts(Client& c, const std::string& bot) {
  std::vector<std::string> out;
  for (const auto& r : c.received(bot))
    if (r.message.message) out.push_back(*r.message.message);
  return out;
}

// Sends /safety and returns the number from the bot's reply (its line of 12 groups), or "".
std::string ask_safety(Client& c, const std::string& bot) {
  const auto before = texts(c, bot).size();
  c.send_text(bot, "  /safety\n");  // commands are trimmed (§9.1)
  if (!c.wait(10s, [&] { return texts(c, bot).size() > before; })) return {};
  const auto reply = texts(c, bot)[before];
  EXPECT_TRUE(reply.starts_with("Safety number of this conversation:\n")) << reply;
  static const std::regex line("(^|\n)(\\d{5}( \\d{5}){11})(\n|$)");
  std::smatch m;
  return std::regex_search(reply, m, line) ? m[2].str() : std::string();
}

TEST(BotsSafety, EveryBotSendsTheNumberThisEndComputesAndKeepsItsOwnState) {
  FakeLlm llm;
  Stack stack({"--bots", "EchoBot,CounterBot,ChatBot", "--chatbot-model", "m", "--chatbot-base-url",
               "http://127.0.0.1:" + std::to_string(llm.port()) + "/v1"});
  ASSERT_TRUE(stack.wait_for_nodes({"EchoBot", "CounterBot", "ChatBot"}, 20s)) << stack.bots_log();
  Client c(stack.port());
  std::set<std::string> numbers;
  for (const std::string bot : {"EchoBot", "CounterBot", "ChatBot"}) {
    SCOPED_TRACE(bot);
    ASSERT_TRUE(c.connect_to(bot)) << stack.bots_log();
    const auto expected = c.safety_number(bot);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(ask_safety(c, bot), expected);
    numbers.insert(expected);
  }
  EXPECT_EQ(numbers.size(), 3u) << "each bot has its own certificate";

  // CounterBot counts on across it.
  c.send_text("CounterBot", "/increase");
  ASSERT_TRUE(c.wait(5s, [&] { return texts(c, "CounterBot").back() == "Counter increased! Current value: 1"; }));
  ask_safety(c, "CounterBot");
  c.send_text("CounterBot", "/increase");
  ASSERT_TRUE(c.wait(5s, [&] { return texts(c, "CounterBot").back() == "Counter increased! Current value: 2"; }));

  // EchoBot answered it instead of echoing it; ChatBot never asked the model.
  for (const auto& t : texts(c, "EchoBot")) EXPECT_EQ(t.find("/safety"), std::string::npos) << t;
  c.send_text("ChatBot", "hello");
  ASSERT_TRUE(c.wait(10s, [&] { return texts(c, "ChatBot").back() == "You said: hello"; })) << stack.bots_log();
  const auto bodies = llm.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].find("/safety"), std::string::npos) << bodies[0];

  // The fingerprint the bot logged at start is the one its connection presented.
  const auto log = stack.bots_log();
  const auto logged = "EchoBot: DTLS fingerprint " + c.remote_fingerprint("EchoBot") + " ";
  EXPECT_NE(log.find(logged), std::string::npos) << logged << "\n" << log;
}

}  // namespace
}  // namespace parley::bots::test
