// One real-time thread that feeds every MusicBot listener every 10 ms: 10 ms of PCM, or for an
// Ogg file its next Opus packets (kept a few ahead) and 10 ms of silence that paces them.
// Generation and file reading happen here, never on a libwebrtc thread nor the event loop.
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
  void play(const std::string& listener, std::shared_ptr<peer::AudioSource> sink, ListenerStream stream);
  void remove(const std::string& listener);
  size_t listeners() const;
  void stop();

 private:
  void run();
  struct Listener {
    std::shared_ptr<peer::AudioSource> sink;
    ListenerStream stream;
    bool configured = false;  // passthrough switched on or off for this stream
    bool ended = false;
  };
  static void tick(Listener& l, std::vector<int16_t>& frame);
  mutable std::mutex mutex_;
  std::map<std::string, Listener> listeners_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace parley::bots
