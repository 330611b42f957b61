// Audio through real libwebrtc: the answering side (a bot) adds an Opus track by renegotiation,
// the offering side decodes it and the tone's frequency is measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numbers>
#include <span>

#include <opus/opus.h>

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

// Opus passthrough: encodes a sine into packets of `frame_ms` with libopus, keeps a few queued
// on the source, and pushes 10 ms of silence every 10 ms as the clock (what MusicBot does for
// an Ogg file). What is heard can only come from the packets.
class PacketPump {
 public:
  // The tone steps through `hz` every 500 ms, so the pace of the content can be checked.
  PacketPump(std::shared_ptr<AudioSource> source, std::vector<double> hz, int frame_ms)
      : source_(std::move(source)), hz_(std::move(hz)), frame_(48 * frame_ms) {
    int err = 0;
    enc_ = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
    source_->set_passthrough(true);
    thread_ = std::thread([this] { run(); });
  }
  ~PacketPump() {
    stop_ = true;
    thread_.join();
    opus_encoder_destroy(enc_);
  }
  int refused() const { return refused_; }

 private:
  void run() {
    std::vector<int16_t> silence(480 * 2, 0), pcm;
    std::vector<unsigned char> out(4000);
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      while (source_->queued_opus() < 8) {
        pcm.resize(static_cast<size_t>(frame_) * 2);
        for (int k = 0; k < frame_; ++k, ++i_) {
          phase_ += 2 * std::numbers::pi * hz_[(i_ / 24000) % hz_.size()] / 48000;
          auto v = static_cast<int16_t>(std::sin(phase_) * 16000);
          pcm[2 * static_cast<size_t>(k)] = pcm[2 * static_cast<size_t>(k) + 1] = v;
        }
        int len = opus_encode(enc_, pcm.data(), frame_, out.data(), static_cast<opus_int32>(out.size()));
        if (len <= 0 || !source_->push_opus(std::span<const uint8_t>(out.data(), static_cast<size_t>(len)))) {
          ++refused_;
          break;
        }
      }
      source_->push(silence, 48000, 2);
      next += std::chrono::milliseconds(10);
      std::this_thread::sleep_until(next);
    }
  }
  std::shared_ptr<AudioSource> source_;
  std::vector<double> hz_;
  double phase_ = 0;
  int frame_;  // samples per channel per packet
  OpusEncoder* enc_ = nullptr;
  uint64_t i_ = 0;
  std::atomic<int> refused_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Power of x at frequency f (Goertzel).
double power_at(std::span<const float> x, int rate, double f) {
  double w = 2 * std::numbers::pi * f / rate, c = 2 * std::cos(w), s1 = 0, s2 = 0;
  for (float v : x) {
    double s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

// Plays `packet_ms` packets through passthrough. The tone is heard without gaps and its steps
// come every 500 ms, as encoded: a wrong RTP timestamp step (not each packet's own duration)
// plays the content at the wrong pace, which the receiver's jitter buffer then squeezes or cuts.
void check_passthrough(int packet_ms) {
  const std::vector<double> tones{440.0, 660.0, 880.0};
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);
  auto source = AudioSource::create();
  EXPECT_FALSE(source->push_opus(std::span<const uint8_t>())) << "passthrough is off by default";
  PacketPump pump(source, tones, packet_ms);
  ASSERT_TRUE(loop.run([&] {
    bool ok = pair->b->add_audio(source, true);
    pair->b->offer();
    return ok;
  }));
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(10), [&] { return pair->a_audio.size() >= 400; }));
  std::vector<float> mono;
  int rate = 0;
  {
    std::lock_guard lock(waiter.mutex());
    rate = pair->a_audio.back().sample_rate;
    // Skip the first second (the track starting, jitter buffer warm-up), analyse 3 s.
    for (size_t i = 100; i < pair->a_audio.size() && i < 400; ++i) {
      const auto& f = pair->a_audio[i];
      for (size_t k = 0; k < f.samples.size(); k += static_cast<size_t>(f.channels)) mono.push_back(f.samples[k]);
    }
  }
  ASSERT_GT(rate, 0);
  // The dominant tone of each 20 ms window, and the lengths of the runs of one tone.
  const size_t window = static_cast<size_t>(rate / 50);
  std::vector<int> runs;
  int quiet = 0, last = -1, run = 0;
  for (size_t at = 0; at + window <= mono.size(); at += window) {
    std::span<const float> w(mono.data() + at, window);
    double energy = 0;
    for (float v : w) energy += static_cast<double>(v) * v;
    if (std::sqrt(energy / static_cast<double>(window)) < 3000) ++quiet;
    int best = 0;
    for (int t = 1; t < 3; ++t)
      if (power_at(w, rate, tones[static_cast<size_t>(t)]) > power_at(w, rate, tones[static_cast<size_t>(best)])) best = t;
    if (best == last) {
      ++run;
    } else {
      if (last >= 0) runs.push_back(run);
      last = best, run = 1;
    }
  }
  EXPECT_LE(quiet, 8) << "gaps in the decoded tone";
  // Inner runs (the first and last are cut by the window) last 500 ms = 25 windows.
  ASSERT_GE(runs.size(), 4u) << "the tone did not step";
  // Under load the receiver's jitter buffer may stretch or squeeze a run a little; a wrong step
  // plays 60 ms packets three times too fast (runs of about 8).
  std::vector<int> inner(runs.begin() + 1, runs.end());
  std::sort(inner.begin(), inner.end());
  const int median = inner[inner.size() / 2];
  EXPECT_GE(median, 21) << "tone steps not 500 ms apart: " << ::testing::PrintToString(runs);
  EXPECT_LE(median, 29) << "tone steps not 500 ms apart: " << ::testing::PrintToString(runs);
  EXPECT_GE(inner.front(), 15) << "a tone step came far too early: " << ::testing::PrintToString(runs);
  EXPECT_EQ(pump.refused(), 0);
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

TEST(PeerAudio, OpusPassthroughOf20msPacketsKeepsThePace) { check_passthrough(20); }
TEST(PeerAudio, OpusPassthroughOf60msPacketsKeepsTheirDuration) { check_passthrough(60); }
TEST(PeerAudio, OpusPassthroughJoins10msPackets) { check_passthrough(10); }

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
