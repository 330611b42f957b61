// Two real libwebrtc connections in one process: text both ways, then 50 MiB of binary with
// back-pressure, byte-exact.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <future>
#include <stdexcept>
#include <thread>

#include "harness.hpp"

namespace parley::peer::test {
namespace {

// Deterministic bytes: xorshift64 keyed by offset, so both ends can check without storing.
void fill_pattern(uint64_t offset, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    out[i] = static_cast<uint8_t>(x ^ (x >> 17));
  }
}

TEST(PeerDataChannel, TextBothWays) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);

  std::vector<std::string> at_a, at_b;
  loop.run([&] {
    pair->a_chat->on_message([&](DataMessage&& m) {
      std::lock_guard lock(waiter.mutex());
      at_a.push_back((m.binary ? "bin:" : "txt:") + m.data);
      waiter.notify();
    });
    pair->b_chat->on_message([&, b = pair->b_chat](DataMessage&& m) {
      {
        std::lock_guard lock(waiter.mutex());
        at_b.push_back((m.binary ? "bin:" : "txt:") + m.data);
      }
      b->send_text("echo " + m.data);  // answer from inside the callback, like a bot
      waiter.notify();
    });
    EXPECT_TRUE(pair->a_chat->send_text("hello 🎉"));
    EXPECT_TRUE(pair->a_chat->send_binary(std::string_view("\x00\x01\x02", 3)));
    return 0;
  });
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return at_a.size() == 2; }));
  EXPECT_EQ(at_b[0], "txt:hello 🎉");
  EXPECT_EQ(at_b[1], std::string("bin:\x00\x01\x02", 7));
  EXPECT_EQ(at_a[0], "txt:echo hello 🎉");
  EXPECT_EQ(at_a[1], std::string("txt:echo \x00\x01\x02", 12));

  // libwebrtc accepts 256 KiB messages (original senders use 128 KiB chunks).
  auto max = loop.run([&] { return pair->b->remote_max_message_size(); });
  ASSERT_TRUE(max.has_value());
  EXPECT_GE(*max, 128u * 1024u);

  // A closed channel reports on_closed on both ends.
  std::atomic<int> closed{0};
  loop.run([&] {
    pair->a_chat->on_closed([&] { ++closed, waiter.notify(); });
    pair->b_chat->on_closed([&] { ++closed, waiter.notify(); });
    pair->a_chat->close();
    return 0;
  });
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return closed == 2; }));
  EXPECT_FALSE(loop.run([&] { return pair->a_chat->send_text("late"); }));
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

TEST(PeerDataChannel, FiftyMiBWithBackPressureByteExact) {
  constexpr uint64_t kTotal = 50ull << 20;
  constexpr size_t kChunk = 64 * 1024;
  constexpr uint64_t kHigh = 1 << 20, kLow = 256 * 1024;
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);

  uint64_t received = 0, mismatches = 0, sent = 0, max_buffered = 0;
  int low_events = 0;
  std::vector<uint8_t> expect(kChunk), chunk(kChunk);
  auto t0 = std::chrono::steady_clock::now();
  std::function<void()> pump;  // loop only
  loop.run([&] {
    pair->b_chat->on_message([&](DataMessage&& m) {
      if (!m.binary) ++mismatches;
      expect.resize(m.data.size());
      fill_pattern(received, expect);
      if (std::memcmp(expect.data(), m.data.data(), m.data.size()) != 0) ++mismatches;
      std::lock_guard lock(waiter.mutex());
      received += m.data.size();
      if (received >= kTotal) waiter.notify();
    });
    pair->a_chat->set_buffered_amount_low_threshold(kLow);
    pump = [&] {
      // Fill up to the high mark, then wait for on_buffered_amount_low.
      while (sent < kTotal) {
        auto buffered = pair->a_chat->buffered_amount();
        max_buffered = std::max(max_buffered, buffered);
        if (buffered > kHigh) return;
        size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, kTotal - sent));
        chunk.resize(n);
        fill_pattern(sent, chunk);
        ASSERT_TRUE(pair->a_chat->send_binary(std::span<const uint8_t>(chunk)));
        sent += n;
      }
    };
    pair->a_chat->on_buffered_amount_low([&] {
      ++low_events;
      pump();
    });
    pump();
    return 0;
  });
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(120), [&] { return received >= kTotal; }));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  loop.run([&] {
    EXPECT_EQ(received, kTotal);
    EXPECT_EQ(mismatches, 0u);
    EXPECT_GT(low_events, 0) << "the sender never had to wait: back-pressure was not exercised";
    EXPECT_LE(max_buffered, 16ull << 20);
    return 0;
  });
  std::printf("50 MiB in %.2f s: %.1f MB/s, %d low-threshold events, max buffered %llu\n", seconds,
              static_cast<double>(kTotal) / seconds / 1e6, low_events, static_cast<unsigned long long>(max_buffered));
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

}  // namespace
}  // namespace parley::peer::test

namespace parley::peer::test {
namespace {

// Two factories (two sets of libwebrtc threads) alive at once in one process, as in a test
// that runs two clients.
TEST(PeerDataChannel, TwoFactoriesAtOnce) {
  Loop loop1, loop2;
  Waiter waiter1, waiter2;
  Factory f1({loop1.executor(), true});
  auto p1 = connect_pair(f1, loop1, waiter1);
  // The second factory starts while the first one's connection is busy.
  std::atomic<bool> busy{true};
  std::thread chatter([&] {
    while (busy) {
      loop1.run([&] { return p1->a_chat->send_text("busy"); });
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  auto f2 = std::make_unique<Factory>(FactoryOptions{loop2.executor(), true});
  auto p2 = connect_pair(*f2, loop2, waiter2);
  busy = false;
  chatter.join();
  ASSERT_TRUE(p1 && p2);
  std::atomic<int> got{0};
  for (auto [p, loop] : {std::pair{p1.get(), &loop1}, std::pair{p2.get(), &loop2}}) {
    loop->run([&, p] {
      p->b_chat->on_message([&](DataMessage&&) { ++got; });
      for (int i = 0; i < 100; ++i) p->a_chat->send_text("x");
      return 0;
    });
  }
  EXPECT_TRUE(poll_until(std::chrono::seconds(5), [&] { return got == 200; }));
  loop1.run([&] { p1->a->close(); p1->b->close(); return 0; });
  loop2.run([&] { p2->a->close(); p2->b->close(); return 0; });
  p2.reset();
  f2.reset();  // one factory stops while the other lives on
  loop1.run([&] { return p1->a_chat->send_text("after"); });
}

}  // namespace
}  // namespace parley::peer::test

namespace parley::peer::test {
namespace {

// Received messages wait on the executor within a bound: while the receiving loop is stuck, a
// flood passes the per-connection limit, the rest is dropped and the channel is closed.
TEST(PeerDataChannel, AFloodPastTheInboundBoundClosesTheChannel) {
  Loop loop;
  Waiter waiter;
  FactoryOptions options{loop.executor(), true};
  options.max_inbound_messages_per_connection = 64;
  Factory factory(options);
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);
  std::atomic<int> received{0}, closed{0};
  loop.run([&] {
    pair->b_chat->on_message([&](DataMessage&&) { ++received; });
    pair->b_chat->on_closed([&] { ++closed, waiter.notify(); });
    return 0;
  });
  // The loop is blocked while 1000 messages arrive.
  std::promise<void> blocked, release;
  std::thread blocker([&] {
    loop.run([&] {
      blocked.set_value();
      release.get_future().wait();
      return 0;
    });
  });
  blocked.get_future().wait();
  for (int i = 0; i < 1000; ++i) pair->a_chat->send_text("flood " + std::to_string(i));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  release.set_value();
  blocker.join();
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return closed.load() > 0; }));
  EXPECT_LE(received.load(), 64);
  EXPECT_GT(received.load(), 0);
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

}  // namespace
}  // namespace parley::peer::test

namespace parley::peer::test {
namespace {

// The receive window is kept small (FactoryOptions::sctp_receive_window) but must never stop the
// largest message libwebrtc accepts from being reassembled: 256 KiB messages at the smallest
// window allowed, both ways, byte-exact.
TEST(PeerDataChannel, LargestMessagesArriveAtTheSmallestReceiveWindow) {
  constexpr size_t kMessage = 256 * 1024;
  constexpr int kCount = 24;
  Loop loop;
  Waiter waiter;
  FactoryOptions options{loop.executor(), true};
  options.sctp_receive_window = FactoryOptions::kMinSctpReceiveWindow;
  Factory factory(options);
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);

  std::vector<uint8_t> pattern(kMessage * kCount);
  fill_pattern(0, pattern);
  std::string at_a, at_b;
  loop.run([&] {
    pair->a_chat->on_message([&](DataMessage&& m) {
      std::lock_guard lock(waiter.mutex());
      at_a += m.data;
      waiter.notify();
    });
    pair->b_chat->on_message([&](DataMessage&& m) {
      std::lock_guard lock(waiter.mutex());
      at_b += m.data;
      waiter.notify();
    });
    for (int i = 0; i < kCount; ++i) {
      std::span<const uint8_t> part(pattern.data() + i * kMessage, kMessage);
      EXPECT_TRUE(pair->a_chat->send_binary(part));
      EXPECT_TRUE(pair->b_chat->send_binary(part));
    }
    return 0;
  });
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(60), [&] {
    return at_a.size() == pattern.size() && at_b.size() == pattern.size();
  })) << "received " << at_a.size() << " and " << at_b.size() << " of " << pattern.size();
  const std::string expected(reinterpret_cast<const char*>(pattern.data()), pattern.size());
  EXPECT_TRUE(at_a == expected);
  EXPECT_TRUE(at_b == expected);
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

TEST(PeerDataChannel, AReceiveWindowOutOfRangeIsRefused) {
  Loop loop;
  FactoryOptions small{loop.executor(), true};
  small.sctp_receive_window = 256 * 1024;  // no room to reassemble a 256 KiB message
  EXPECT_THROW(Factory{small}, std::invalid_argument);
  FactoryOptions huge{loop.executor(), true};
  huge.sctp_receive_window = 64ull << 20;
  EXPECT_THROW(Factory{huge}, std::invalid_argument);
}

}  // namespace
}  // namespace parley::peer::test
