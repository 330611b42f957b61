#include "bots/audio_pump.hpp"

#include <vector>

namespace parley::bots {

AudioPump::AudioPump() : thread_([this] { run(); }) {}

AudioPump::~AudioPump() { stop(); }

void AudioPump::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  listeners_.clear();
}

void AudioPump::play(const std::string& listener, std::shared_ptr<peer::AudioSource> sink,
                     std::unique_ptr<PcmGenerator> gen) {
  std::lock_guard lock(mutex_);
  listeners_[listener] = Listener{std::move(sink), std::move(gen), false};
}

void AudioPump::remove(const std::string& listener) {
  std::unique_ptr<PcmGenerator> old;  // closed outside the lock
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(listener);
  if (it == listeners_.end()) return;
  old = std::move(it->second.generator);
  listeners_.erase(it);
}

size_t AudioPump::listeners() const {
  std::lock_guard lock(mutex_);
  return listeners_.size();
}

void AudioPump::run() {
  std::vector<int16_t> frame(480 * 2);  // 10 ms, 48 kHz stereo
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, l] : listeners_) {
        // Nothing is generated before the track is bound, nor after a file ended.
        if (l.ended || !l.generator || l.sink->sink_count() == 0) continue;
        l.ended = !l.generator->fill(frame);
        l.sink->push(frame, 48000, 2);
      }
    }
    next += std::chrono::milliseconds(10);
    auto now = std::chrono::steady_clock::now();
    if (now - next > std::chrono::milliseconds(200)) next = now;  // fell far behind: no burst to catch up
    std::this_thread::sleep_until(next);
  }
}

}  // namespace parley::bots
