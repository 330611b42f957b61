#include "bots/audio_pump.hpp"

#include <algorithm>
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

void AudioPump::play(const std::string& listener, std::shared_ptr<peer::AudioSource> sink, ListenerStream stream) {
  Listener old;  // closed outside the lock
  std::lock_guard lock(mutex_);
  auto& l = listeners_[listener];
  old = std::move(l);
  l = Listener{std::move(sink), std::move(stream), false, false};
}

void AudioPump::remove(const std::string& listener) {
  Listener old;  // closed outside the lock
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(listener);
  if (it == listeners_.end()) return;
  old = std::move(it->second);
  listeners_.erase(it);
}

size_t AudioPump::listeners() const {
  std::lock_guard lock(mutex_);
  return listeners_.size();
}

void AudioPump::tick(Listener& l, std::vector<int16_t>& frame) {
  // Nothing is generated before the track is bound (so a file is heard from its beginning).
  if (!l.stream || l.sink->sink_count() == 0) return;
  if (!l.configured) {
    l.sink->set_passthrough(l.stream.packets != nullptr);
    l.configured = true;
  }
  if (l.stream.pcm) {
    if (l.ended) return;
    l.ended = !l.stream.pcm->fill(frame);
    l.sink->push(frame, 48000, 2);
    return;
  }
  // An Ogg file: keep a few packets queued (200 ms at 20 ms each); at most a few reads per
  // tick, so a file of invalid packets cannot hold this thread.
  constexpr size_t kAhead = 10;
  for (int reads = 0; !l.ended && l.sink->queued_opus() < kAhead && reads < 64; ++reads) {
    auto packet = l.stream.packets->next();
    if (!packet) {
      l.ended = true;  // end of a file that does not loop: sending stops once the queue drains
      break;
    }
    l.sink->push_opus(*packet);  // an invalid packet is refused and skipped
  }
  if (l.ended && l.sink->queued_opus() == 0) return;
  std::fill(frame.begin(), frame.end(), int16_t{0});
  l.sink->push(frame, 48000, 2);  // the clock of the passthrough: its content is not sent
}

void AudioPump::run() {
  std::vector<int16_t> frame(480 * 2);  // 10 ms, 48 kHz stereo
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, l] : listeners_) tick(l, frame);
    }
    next += std::chrono::milliseconds(10);
    auto now = std::chrono::steady_clock::now();
    if (now - next > std::chrono::milliseconds(200)) next = now;  // fell far behind: no burst to catch up
    std::this_thread::sleep_until(next);
  }
}

}  // namespace parley::bots
