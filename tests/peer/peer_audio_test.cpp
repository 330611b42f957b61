// Audio through real libwebrtc: the answering side (a bot) adds an Opus track by renegotiation,
// the offering side decodes it and the tone's frequency is measured.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <numbers>

#include "harness.hpp"

namespace parley::peer::test {
namespace {

// Frequency with the most energy between lo and hi Hz (1 Hz steps, Goertzel).
double dominant_frequency(const std::vector<float>& x, int rate, double lo, double hi) {
  double best_f = 0, best_p = -1;
  for (double f = lo; f <= hi; f += 1.0) {
    double w = 2 * std::numbers::pi * f / rate, c = 2 * std::cos(w), s1 = 0, s2 = 0;
    for (float v : x) {
      double s0 = v + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double p = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (p > best_p) best_p = p, best_f = f;
  }
  return best_f;
}

// Pushes a sine in real time, 10 ms per push, like MusicBot's pump.
class TonePump {
 public:
  TonePump(std::shared_ptr<AudioSource> source, double hz) : source_(std::move(source)), hz_(hz) {
    thread_ = std::thread([this] { run(); });
  }
  ~TonePump() {
    stop_ = true;
    thread_.join();
  }

 private:
  void run() {
    std::vector<int16_t> frame(480 * 2);
    uint64_t i = 0;
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      for (size_t k = 0; k < 480; ++k, ++i) {
        auto v = static_cast<int16_t>(std::sin(2 * std::numbers::pi * hz_ * static_cast<double>(i) / 48000) * 16000);
        frame[2 * k] = frame[2 * k + 1] = v;
      }
      source_->push(frame, 48000, 2);
      next += std::chrono::milliseconds(10);
      std::this_thread::sleep_until(next);
    }
  }
  std::shared_ptr<AudioSource> source_;
  double hz_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(PeerAudio, RenegotiationAddsOpusTrackAndA440IsHeard) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);

  auto source = AudioSource::create();
  TonePump pump(source, 440.0);
  ASSERT_TRUE(loop.run([&] {
    bool ok = pair->b->add_audio(source, true);
    pair->b->offer();  // the answerer renegotiates, as MusicBot does on /play
    return ok;
  }));

  // The bot's offer carries Opus alone, PT 111, 48000/2, minptime=10;useinbandfec=1.
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return pair->b_descriptions.size() >= 2; }));
  std::string offer;
  {
    std::lock_guard lock(waiter.mutex());
    EXPECT_EQ(pair->b_descriptions.back().type, "offer");
    offer = pair->b_descriptions.back().sdp;
  }
  EXPECT_NE(offer.find("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), std::string::npos) << offer;
  EXPECT_NE(offer.find("a=rtpmap:111 opus/48000/2"), std::string::npos);
  EXPECT_NE(offer.find("a=fmtp:111 minptime=10;useinbandfec=1"), std::string::npos);
  EXPECT_NE(offer.find("a=sendonly"), std::string::npos);

  // 1.5 s of decoded audio: skip the first 0.5 s (jitter buffer warm-up), analyse 1 s.
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(10), [&] { return pair->a_audio.size() >= 150; }));
  std::vector<float> mono;
  int rate = 0;
  {
    std::lock_guard lock(waiter.mutex());
    rate = pair->a_audio.back().sample_rate;
    for (size_t i = 50; i < pair->a_audio.size() && i < 150; ++i) {
      const auto& f = pair->a_audio[i];
      for (size_t k = 0; k < f.samples.size(); k += static_cast<size_t>(f.channels)) mono.push_back(f.samples[k]);
    }
  }
  ASSERT_GT(rate, 0);
  double peak = 0;
  for (float v : mono) peak = std::max(peak, static_cast<double>(std::fabs(v)));
  EXPECT_GT(peak, 4000.0) << "decoded audio is (almost) silent";
  double f = dominant_frequency(mono, rate, 100, 2000);
  EXPECT_NEAR(f, 440.0, 5.0);
  EXPECT_EQ(source->sink_count(), 1);

  // The data channel still works after renegotiation.
  std::atomic<bool> got{false};
  loop.run([&] {
    pair->b_chat->on_message([&](DataMessage&&) { got = true, waiter.notify(); });
    return pair->a_chat->send_text("still here");
  });
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return got.load(); }));
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
  EXPECT_EQ(source->sink_count(), 0);
}

}  // namespace
}  // namespace parley::peer::test
