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

  // Opus passthrough (PROTOCOL.md §8.3, Ogg files). While enabled, each packet given to
  // push_opus (one Opus packet, 48 kHz clock, any frame size) becomes the payload of one RTP
  // packet of this source's track, in place of what the encoder made of the pushed PCM, and the
  // RTP timestamp advances by the packet's duration from its TOC byte. PCM must still be pushed
  // in real time: it paces the stream, its content is not sent. Packets shorter than the
  // encoder's 20 ms frame are joined (opus_repacketizer). With nothing queued, nothing is sent.
  // A passthrough source feeds one track. Switching either way drops what is queued.
  virtual void set_passthrough(bool enabled) = 0;
  // False when passthrough is off, the queue is full (5 s), or the bytes are not an Opus packet.
  virtual bool push_opus(std::span<const uint8_t> packet) = 0;
  virtual size_t queued_opus() const = 0;

  static std::shared_ptr<AudioSource> create();
};

}  // namespace parley::peer
