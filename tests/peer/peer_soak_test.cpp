// 100 connections (50 offer/answer pairs, each side in this process) held for a minute with a
// message per second each: all stay connected and memory stays flat.
#include <gtest/gtest.h>

#include <atomic>

#include "harness.hpp"

namespace parley::peer::test {
namespace {

TEST(PeerSoak, HundredConnectionsStayUpForAMinuteWithFlatMemory) {
  constexpr int kPairs = 50;
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  std::vector<std::shared_ptr<Pair>> pairs;
  for (int i = 0; i < kPairs; ++i) {
    auto p = connect_pair(factory, loop, waiter);
    ASSERT_TRUE(p) << "pair " << i;
    pairs.push_back(std::move(p));
  }
  EXPECT_EQ(factory.live_connections(), 2u * kPairs);
  std::vector<int> echoes(kPairs, 0);
  loop.run([&] {
    for (int i = 0; i < kPairs; ++i) {
      auto b = pairs[i]->b_chat;
      b->on_message([b = b.get()](DataMessage&& m) { b->send_text(m.data); });
      pairs[i]->a_chat->on_message([&, i](DataMessage&&) { ++echoes[i]; });
    }
    return 0;
  });

  std::printf("after setup: %ld KiB RSS, %d threads\n", rss_kib(), thread_count());
  // libwebrtc's per-connection task queues share a pool: threads do not grow with connections.
  EXPECT_LT(thread_count(), 30);
  long rss_warm = 0;
  auto start = std::chrono::steady_clock::now();
  for (int second = 1; second <= 60; ++second) {
    std::this_thread::sleep_until(start + std::chrono::seconds(second));
    loop.run([&] {
      for (auto& p : pairs) p->a_chat->send_text(std::string(200, 'x'));
      return 0;
    });
    if (second == 15) rss_warm = rss_kib();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long rss_end = rss_kib();
  std::printf("RSS at 15 s: %ld KiB, at 60 s: %ld KiB, threads %d\n", rss_warm, rss_end, thread_count());
  loop.run([&] {
    for (int i = 0; i < kPairs; ++i) {
      EXPECT_EQ(pairs[i]->a_state, ConnectionState::Connected) << "pair " << i;
      EXPECT_EQ(pairs[i]->b_state, ConnectionState::Connected) << "pair " << i;
      EXPECT_GE(echoes[i], 59) << "pair " << i;
    }
    return 0;
  });
  // Flat: less than 10 % or 8 MiB of growth between warm-up and the end, whichever is larger.
  EXPECT_LT(rss_end - rss_warm, std::max(8 * 1024L, rss_warm / 10));
  loop.run([&] {
    for (auto& p : pairs) p->a->close(), p->b->close();
    pairs.clear();
    return 0;
  });
  EXPECT_EQ(factory.live_connections(), 0u);
}

}  // namespace
}  // namespace parley::peer::test
