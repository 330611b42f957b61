// Hostile input: a peer that floods EchoBot's chat channel faster than the bot can answer. The
// bot's event-loop queue stays bounded (the flooding channel is cut off), its memory stays
// bounded, and another peer is still answered promptly meanwhile. And a per-process limit on
// the files EchoBot holds in memory at once.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

bool echoed(Client& c, const std::string& text, std::chrono::milliseconds timeout) {
  return c.wait(timeout, [&] {
    for (const auto& r : c.received("EchoBot"))
      if (r.message.message && *r.message.message == text && !r.message.ack) return true;
    return false;
  });
}

TEST(BotsFlood, AFloodingPeerIsCutOffWhileOthersAreStillAnswered) {
  Stack stack({"--bots", "EchoBot"});
  Client hostile(stack.port(), "hostile"), friendly(stack.port(), "friendly");
  ASSERT_TRUE(hostile.connect_to("EchoBot"));
  ASSERT_TRUE(friendly.connect_to("EchoBot"));
  ASSERT_TRUE((friendly.send_text("EchoBot", "warm-up"), echoed(friendly, "warm-up", 5s)));
  const uint64_t rss_before = rss_bytes(stack.bots->pid());
  ASSERT_GT(rss_before, 0u);

  std::atomic<bool> flooding{true};
  size_t sent = 0;
  std::thread flood([&] {
    sent = hostile.flood("EchoBot", 8s, 32);
    flooding = false;
  });
  uint64_t rss_peak = rss_before;
  std::vector<double> latencies_ms;
  for (int i = 0; (flooding || i < 20) && i < 60; ++i) {
    const std::string text = "still there " + std::to_string(i);
    auto t0 = std::chrono::steady_clock::now();
    friendly.send_text("EchoBot", text);
    bool ok = echoed(friendly, text, 10s);
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_TRUE(ok) << "no echo within 10 s during the flood";
    rss_peak = std::max(rss_peak, rss_bytes(stack.bots->pid()));
    std::this_thread::sleep_for(100ms);
  }
  flood.join();
  rss_peak = std::max(rss_peak, rss_bytes(stack.bots->pid()));
  double worst = latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  std::cout << "flood: " << sent << " messages queued by the hostile peer; friendly echoes " << latencies_ms.size()
            << ", worst " << worst << " ms; bots RSS " << rss_before / 1048576 << " -> peak " << rss_peak / 1048576
            << " MiB\n";
  ASSERT_GE(latencies_ms.size(), 20u);
  EXPECT_LT(worst, 2000.0) << "the flood starves other peers";
  EXPECT_LT(rss_peak - rss_before, 96ull << 20) << "memory grows with the flood";
  EXPECT_TRUE(stack.bots->running());
  EXPECT_NE(stack.bots_log().find("receives faster than its messages are handled"), std::string::npos)
      << "the flood was not cut off";
  // And the bot is fine afterwards.
  friendly.send_text("EchoBot", "after");
  EXPECT_TRUE(echoed(friendly, "after", 5s));
}

TEST(BotsFlood, EchoBotHoldsAtMostTheConfiguredNumberOfFilesAtOnce) {
  Stack stack({"--bots", "EchoBot", "--echo-max-transfers", "1"});
  Client a(stack.port(), "alice"), b(stack.port(), "bob");
  ASSERT_TRUE(a.connect_to("EchoBot"));
  ASSERT_TRUE(b.connect_to("EchoBot"));
  std::string big(24 << 20, '\0'), small(256 << 10, '\0');
  std::mt19937 rng(7);
  for (auto& c : big) c = static_cast<char>(rng());
  for (auto& c : small) c = static_cast<char>(rng());
  a.send_file("EchoBot", "big.bin", big);
  // Bob's file arrives while Alice's is held: refused (its channel closed), nothing echoed.
  ASSERT_TRUE(a.wait(10s, [&] { return stack.bots_log().find("EchoBot: ") != std::string::npos; }));
  std::this_thread::sleep_for(150ms);
  b.send_file("EchoBot", "small.bin", small);
  ASSERT_TRUE(a.wait(60s, [&] { return !a.files("EchoBot").empty(); })) << stack.bots_log();
  EXPECT_TRUE(a.files("EchoBot")[0] == big);
  EXPECT_NE(stack.bots_log().find("every file transfer slot is taken"), std::string::npos) << stack.bots_log();
  EXPECT_TRUE(b.files("EchoBot").empty());
  // Once Alice's echo is done the slot is free again.
  std::this_thread::sleep_for(500ms);
  b.send_file("EchoBot", "small.bin", small);
  ASSERT_TRUE(b.wait(30s, [&] { return !b.files("EchoBot").empty(); })) << stack.bots_log();
  EXPECT_TRUE(b.files("EchoBot")[0] == small);
}

}  // namespace
}  // namespace parley::bots::test
