// An audio track source fed by the application: push PCM, it is sent as Opus 48 kHz stereo.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace parley::peer {

class AudioSource {
 public:
  virtual ~AudioSource() = default;

  // Pushes interleaved signed 16-bit PCM, from any one thread (not a libwebrtc thread is fine,
  // the encoder runs elsewhere). Any length is accepted; it is cut into the 10 ms frames the
  // encoder needs, and a remainder waits for the next push. The caller paces it in real time.
  virtual void push(std::span<const int16_t> interleaved, int sample_rate, int channels) = 0;

  // How many tracks are currently bound to this source (0 before negotiation completes).
  virtual int sink_count() const = 0;

  static std::shared_ptr<AudioSource> create();
};

}  // namespace parley::peer
