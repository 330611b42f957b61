// MusicBot and ChatBot through the real server: /list and /play with the tone heard by the
// client's decoder, and ChatBot against a local OpenAI-compatible stand-in.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <boost/json.hpp>
#include <cmath>
#include <csignal>
#include <optional>

#include "bots_harness.hpp"
#include "ogg_writer.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

int find_text(const std::vector<Received>& v, const std::string& text) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].message.message && *v[i].message.message == text) return static_cast<int>(i);
  return -1;
}

bool wait_text(Client& c, const std::string& bot, const std::string& text) {
  return c.wait(10s, [&] { return find_text(c.received(bot), text) >= 0; });
}

TEST(MusicBot, ListPlayA4C4AndWhiteNoiseAreHeard) {
  Stack stack({"--bots", "MusicBot", "--ogg-file", "/nonexistent/missing.ogg"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("MusicBot"));
  c.send_text("MusicBot", "/list");
  ASSERT_TRUE(wait_text(c, "MusicBot",
                        "Available tracks:\n  - C4\n  - A4\n  - WhiteNoise\n\nUse /play <track_name> to play a track."))
      << stack.bots_log();
  c.send_text("MusicBot", "/play Nope");
  ASSERT_TRUE(wait_text(c, "MusicBot", "Error: Track 'Nope' not found. Use /list to see available tracks."));

  c.send_text("MusicBot", "/play A4");
  ASSERT_TRUE(wait_text(c, "MusicBot", "Now playing: A4"));
  // The bot renegotiates (its own offer) and the tone arrives: 1.5 s, the last second analysed.
  ASSERT_TRUE(c.wait(15s, [&] { return c.audio("MusicBot").size() >= 48000 * 3 / 2; })) << stack.bots_log();
  int rate = 0;
  auto a = c.audio("MusicBot", &rate);
  std::vector<float> last(a.end() - rate, a.end());
  EXPECT_NEAR(dominant_frequency(last, rate, 100, 2000), 440.0, 5.0);

  // Switching source: same stream, no new offer needed.
  c.send_text("MusicBot", "/play C4");
  ASSERT_TRUE(wait_text(c, "MusicBot", "Now playing: C4"));
  std::this_thread::sleep_for(500ms);
  c.clear_audio("MusicBot");
  ASSERT_TRUE(c.wait(10s, [&] { return c.audio("MusicBot").size() >= 48000; }));
  a = c.audio("MusicBot", &rate);
  EXPECT_NEAR(dominant_frequency(a, rate, 100, 2000), 261.63, 5.0);

  c.send_text("MusicBot", "/play WhiteNoise");
  ASSERT_TRUE(wait_text(c, "MusicBot", "Now playing: WhiteNoise"));
  std::this_thread::sleep_for(500ms);
  c.clear_audio("MusicBot");
  ASSERT_TRUE(c.wait(10s, [&] { return c.audio("MusicBot").size() >= 48000; }));
  a = c.audio("MusicBot", &rate);
  // Broadband: comparable energy from low to high frequencies, no single tone. The power of noise
  // at one frequency varies wildly (exponentially distributed), so each band averages 21 of them.
  auto band = [&](double f) {
    double sum = 0;
    for (int k = -10; k <= 10; ++k) sum += power_at(a, rate, f + 7.0 * k);
    return sum / 21;
  };
  std::vector<double> bands;
  for (double f : {300.0, 1000.0, 3000.0, 6000.0, 10000.0}) bands.push_back(band(f));
  double lo = *std::min_element(bands.begin(), bands.end()), hi = *std::max_element(bands.begin(), bands.end());
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi / lo, 10.0) << "energy is concentrated, not broadband";
  EXPECT_GT(lo, band(440.0) / 10.0) << "a tone stands out of the noise";
}

TEST(MusicBot, EachListenerGetsItsOwnStream) {
  Stack stack({"--bots", "MusicBot"});
  Client a(stack.port(), "alice"), b(stack.port(), "bob");
  ASSERT_TRUE(a.connect_to("MusicBot"));
  ASSERT_TRUE(b.connect_to("MusicBot"));
  a.send_text("MusicBot", "/play A4");
  b.send_text("MusicBot", "/play C4");
  ASSERT_TRUE(wait_text(a, "MusicBot", "Now playing: A4"));
  ASSERT_TRUE(wait_text(b, "MusicBot", "Now playing: C4"));
  for (auto* c : {&a, &b})
    ASSERT_TRUE(c->wait(15s, [&] { return c->audio("MusicBot").size() >= 48000 * 3 / 2; })) << stack.bots_log();
  int rate = 0;
  auto sa = a.audio("MusicBot", &rate);
  EXPECT_NEAR(dominant_frequency(std::vector<float>(sa.end() - rate, sa.end()), rate, 100, 2000), 440.0, 5.0);
  auto sb = b.audio("MusicBot", &rate);
  EXPECT_NEAR(dominant_frequency(std::vector<float>(sb.end() - rate, sb.end()), rate, 100, 2000), 261.63, 5.0);
}

TEST(Bots, SigtermShutsDownCleanly) {
  Stack stack({"--bots", "EchoBot,CounterBot"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("EchoBot"));  // with a live peer connection
  int status = stack.bots->kill_and_wait(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal, status " << status << "\n" << stack.bots_log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(stack.bots_log().find("parley-bots: stopped"), std::string::npos);
}

TEST(MusicBot, PlaysAnOggOpusFileFromItsStart) {
  char dir_tmpl[] = "/tmp/parley-ogg-XXXXXX";
  std::string dir = mkdtemp(dir_tmpl);
  ASSERT_TRUE(write_ogg_sine(dir + "/tone660.opus", 660, 3));
  ASSERT_TRUE(write_ogg_sine(dir + "/A4.ogg", 100, 1));  // repeats a built-in name: skipped
  Stack stack({"--bots", "MusicBot", "--ogg-file", dir + "/tone660.opus", "--ogg-file", dir + "/A4.ogg"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("MusicBot"));
  c.send_text("MusicBot", "/list");
  ASSERT_TRUE(wait_text(c, "MusicBot",
                        "Available tracks:\n  - C4\n  - A4\n  - WhiteNoise\n  - tone660\n\nUse /play <track_name> to play a track."))
      << stack.bots_log();
  c.send_text("MusicBot", "/play tone660");
  ASSERT_TRUE(wait_text(c, "MusicBot", "Now playing: tone660"));
  ASSERT_TRUE(c.wait(15s, [&] { return c.audio("MusicBot").size() >= 48000 * 3 / 2; })) << stack.bots_log();
  int rate = 0;
  auto a = c.audio("MusicBot", &rate);
  std::vector<float> last(a.end() - rate, a.end());
  EXPECT_NEAR(dominant_frequency(last, rate, 100, 2000), 660.0, 5.0);
}

// Index of the first 10 ms block of `a` that is clearly not silent, or nullopt.
std::optional<size_t> onset(const std::vector<float>& a, int rate) {
  const size_t block = static_cast<size_t>(rate / 100);
  for (size_t at = 0; at + block <= a.size(); at += block) {
    double energy = 0;
    for (size_t k = at; k < at + block; ++k) energy += static_cast<double>(a[k]) * a[k];
    if (std::sqrt(energy / static_cast<double>(block)) > 2000) return at;
  }
  return std::nullopt;
}

// A file of 1.5 s at 440 Hz then 1.5 s at 880 Hz. Bob starts 2 s after Alice, when her stream
// is already in its 880 Hz part: each must hear 440 Hz first, then 880 Hz (their own reader and
// position, from the start), passed through packet by packet.
TEST(MusicBot, ListenersStartingAtDifferentTimesEachHearTheFileFromItsStart) {
  char dir_tmpl[] = "/tmp/parley-ogg-XXXXXX";
  std::string dir = mkdtemp(dir_tmpl);
  ASSERT_FALSE(write_ogg(dir + "/steps.opus", {{{440, 1.5}, {880, 1.5}}}).empty());
  Stack stack({"--bots", "MusicBot", "--ogg-file", dir + "/steps.opus"});
  Client a(stack.port(), "alice"), b(stack.port(), "bob");
  ASSERT_TRUE(a.connect_to("MusicBot"));
  ASSERT_TRUE(b.connect_to("MusicBot"));
  a.send_text("MusicBot", "/play steps");
  ASSERT_TRUE(wait_text(a, "MusicBot", "Now playing: steps")) << stack.bots_log();
  ASSERT_TRUE(a.wait(15s, [&] {
    int r = 0;
    auto x = a.audio("MusicBot", &r);
    return r > 0 && onset(x, r).has_value();
  })) << stack.bots_log();
  std::this_thread::sleep_for(2s);
  b.send_text("MusicBot", "/play steps");
  ASSERT_TRUE(wait_text(b, "MusicBot", "Now playing: steps"));
  for (auto* c : {&a, &b}) {
    SCOPED_TRACE(c == &a ? "alice" : "bob");
    int rate = 0;
    ASSERT_TRUE(c->wait(20s, [&] {
      auto x = c->audio("MusicBot", &rate);
      auto at = rate > 0 ? onset(x, rate) : std::nullopt;
      return at && x.size() >= *at + static_cast<size_t>(rate) * 28 / 10;
    })) << stack.bots_log();
    auto x = c->audio("MusicBot", &rate);
    const size_t at = *onset(x, rate);
    auto part = [&](double from, double to) {
      return std::vector<float>(x.begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(from * rate)),
                                x.begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(to * rate)));
    };
    EXPECT_NEAR(dominant_frequency(part(0.2, 1.2), rate, 100, 2000), 440.0, 5.0);
    EXPECT_NEAR(dominant_frequency(part(1.7, 2.7), rate, 100, 2000), 880.0, 5.0);
  }
}

TEST(ChatBot, AnswersThroughTheApiWithHistoryAndHidesErrors) {
  FakeLlm llm;
  Stack stack({"--bots", "ChatBot", "--chatbot-model", "test-model", "--chatbot-base-url",
               "http://127.0.0.1:" + std::to_string(llm.port()) + "/v1", "--chatbot-timeout", "5s"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("ChatBot")) << stack.bots_log();
  c.send_text("ChatBot", "hello");
  ASSERT_TRUE(wait_text(c, "ChatBot", "You said: hello")) << stack.bots_log();
  c.send_text("ChatBot", "again");
  ASSERT_TRUE(wait_text(c, "ChatBot", "You said: again"));
  auto bodies = llm.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  auto second = boost::json::parse(bodies[1]).as_object();
  EXPECT_EQ(second.at("model"), "test-model");
  EXPECT_TRUE(second.contains("reasoning"));
  const auto& msgs = second.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 4u);  // system, user, assistant, user: this peer's history, oldest first
  EXPECT_EQ(msgs[0].at("role"), "system");
  EXPECT_EQ(msgs[1].at("content"), "hello");
  EXPECT_EQ(msgs[2].at("content"), "You said: hello");
  EXPECT_EQ(msgs[3].at("content"), "again");
  EXPECT_EQ(llm.authorizations()[0], "") << "no key: no Authorization header";

  llm.fail_next(500);
  c.send_text("ChatBot", "break");
  ASSERT_TRUE(wait_text(c, "ChatBot", "Sorry, I can't answer right now. Please try again later."));
  for (const auto& r : c.received("ChatBot")) {
    if (r.message.message) {
      EXPECT_EQ(r.message.message->find("secret"), std::string::npos);
    }
  }
}

TEST(ChatBot, QueuesFourMessagesPerPeerAndTimesOut) {
  FakeLlm llm;
  Stack stack({"--bots", "ChatBot", "--chatbot-model", "m", "--chatbot-timeout", "2s", "--chatbot-base-url",
               "http://127.0.0.1:" + std::to_string(llm.port()) + "/v1"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("ChatBot")) << stack.bots_log();
  // One in flight, four waiting, the sixth is told to wait; replies come in order.
  llm.set_delay(300ms);
  for (int i = 1; i <= 6; ++i) c.send_text("ChatBot", "q" + std::to_string(i));
  ASSERT_TRUE(wait_text(c, "ChatBot", "I'm still working on your previous message."));
  ASSERT_TRUE(wait_text(c, "ChatBot", "You said: q5")) << stack.bots_log();
  std::vector<std::string> answers;
  for (const auto& r : c.received("ChatBot"))
    if (r.message.message && r.message.message->rfind("You said: ", 0) == 0) answers.push_back(*r.message.message);
  EXPECT_EQ(answers, (std::vector<std::string>{"You said: q1", "You said: q2", "You said: q3", "You said: q4",
                                               "You said: q5"}));
  // A model slower than --chatbot-timeout: the generic text, and the bot stays usable.
  llm.set_delay(3000ms);
  c.send_text("ChatBot", "slow");
  ASSERT_TRUE(wait_text(c, "ChatBot", "Sorry, I can't answer right now. Please try again later."));
  llm.set_delay(0ms);
  std::this_thread::sleep_for(1500ms);  // the stand-in finishes the slow request
  c.send_text("ChatBot", "fast again");
  EXPECT_TRUE(wait_text(c, "ChatBot", "You said: fast again"));
}

TEST(ChatBot, StreamsTheReplyLiveThroughAppendOrders) {
  FakeLlm llm;
  Stack stack({"--bots", "ChatBot", "--chatbot-model", "m", "--chatbot-stream", "--chatbot-no-reasoning",
               "--chatbot-base-url", "http://127.0.0.1:" + std::to_string(llm.port()) + "/v1"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("ChatBot")) << stack.bots_log();
  c.send_text("ChatBot", "streaming please");
  const std::string full = "You said: streaming please";
  ASSERT_TRUE(c.wait(10s, [&] {
    auto p = c.patches("ChatBot");
    return !p.empty() && p.back().kind == protocol::PatchKind::replace;
  })) << stack.bots_log();
  auto r = c.received("ChatBot");
  int m = -1;
  for (size_t i = 0; i < r.size(); ++i)
    if (r[i].message.message && !r[i].message.ack) m = static_cast<int>(i);
  ASSERT_GE(m, 0);
  auto id = r[static_cast<size_t>(m)].message.message_id;
  std::string text = *r[static_cast<size_t>(m)].message.message;
  EXPECT_EQ(text, "You ");  // the first delta
  auto patches = c.patches("ChatBot");
  size_t appends = 0;
  for (const auto& p : patches) {
    EXPECT_EQ(p.message_id, id);
    if (p.kind == protocol::PatchKind::append) text += p.value, ++appends;
  }
  EXPECT_GE(appends, 2u) << "the reply was not shown live";
  EXPECT_LE(appends, 8u) << "more than 5 Append orders per second";
  // Appends build the text as it streams (deltas that arrive after the last one are left to the
  // Replace: at most 5 Appends per second)...
  EXPECT_EQ(full.rfind(text, 0), 0u) << "'" << text << "' is not a prefix of the reply";
  EXPECT_GT(text.size(), std::string("You ").size());
  EXPECT_EQ(patches.back().value, full);  // ...and a final Replace carries it whole
  EXPECT_FALSE(boost::json::parse(llm.bodies()[0]).as_object().contains("reasoning"));
  EXPECT_TRUE(boost::json::parse(llm.bodies()[0]).as_object().at("stream").as_bool());
}

}  // namespace
}  // namespace parley::bots::test
