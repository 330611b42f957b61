// One real-time thread that feeds every MusicBot listener 10 ms of PCM every 10 ms. Decoding
// and generation happen here, never on a libwebrtc thread nor on the runtime's event loop.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bots/audio_sources.hpp"
#include "peer/audio_source.hpp"

namespace parley::bots {

class AudioPump {
 public:
  AudioPump();
  ~AudioPump();

  // Starts or switches the stream of one listener; the generator starts once the track is
  // bound (sink attached), so a file is heard from its beginning.
  void play(const std::string& listener, std::shared_ptr<peer::AudioSource> sink, std::unique_ptr<PcmGenerator> gen);
  void remove(const std::string& listener);
  size_t listeners() const;
  void stop();

 private:
  void run();
  struct Listener {
    std::shared_ptr<peer::AudioSource> sink;
    std::unique_ptr<PcmGenerator> generator;
    bool ended = false;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Listener> listeners_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace parley::bots
