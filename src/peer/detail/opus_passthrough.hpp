// Internal: Opus passthrough (PROTOCOL.md §8.3, Ogg files). Pre-encoded Opus packets wait in a
// bounded queue; a frame transformer on the track's RTP sender puts one packet in place of each
// frame the encoder made, and drops the frames a longer packet already covers, so that the RTP
// timestamp advances by each packet's own duration. The pushed PCM only paces the stream.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "api/frame_transformer_interface.h"

namespace parley::peer::detail {

// Samples at 48 kHz of one Opus packet, from its TOC byte (frame size × frame count); 0 when it
// is not a valid Opus packet.
int opus_packet_samples(std::span<const uint8_t> packet);

class OpusPacketQueue {
 public:
  static constexpr size_t kMaxPackets = 250;      // 5 s of 20 ms packets
  static constexpr size_t kMaxPacketBytes = 7680;  // 6 × 1275 (RFC 6716 caps a frame at 1275 bytes)

  struct Packet {
    std::vector<uint8_t> bytes;
    int samples = 0;
  };

  // False when disabled, full, or not an Opus packet.
  bool push(std::span<const uint8_t> packet);
  // Switching either way drops what is queued.
  void set_enabled(bool enabled);
  bool enabled() const;
  size_t size() const;
  // The next packet, joined with the following ones while it is shorter than `samples` and they
  // share its TOC configuration (opus_repacketizer). nullopt when nothing is queued.
  std::optional<Packet> take(int samples);

 private:
  mutable std::mutex mutex_;
  bool enabled_ = false;
  std::deque<Packet> packets_;
};

class OpusPassthroughTransformer : public webrtc::FrameTransformerInterface {
 public:
  explicit OpusPassthroughTransformer(std::shared_ptr<OpusPacketQueue> queue) : queue_(std::move(queue)) {}

  // On the channel's encoder queue, one frame at a time.
  void Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;
  void RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) override;
  void RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                            uint32_t ssrc) override;
  void UnregisterTransformedFrameCallback() override;
  void UnregisterTransformedFrameSinkCallback(uint32_t ssrc) override;

 private:
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback() const;

  std::shared_ptr<OpusPacketQueue> queue_;
  mutable std::mutex mutex_;
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback_;
  // Encoder queue only.
  std::optional<uint32_t> last_timestamp_;
  int frame_samples_ = 960;  // the encoder's frame, measured from consecutive timestamps
  int owed_ = 0;             // samples of the last sent packet not yet covered by encoder frames
};

}  // namespace parley::peer::detail
