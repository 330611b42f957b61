#include "peer/detail/opus_passthrough.hpp"

#include <opus/opus.h>

namespace parley::peer::detail {

int opus_packet_samples(std::span<const uint8_t> packet) {
  if (packet.empty() || packet.size() > OpusPacketQueue::kMaxPacketBytes) return 0;
  int n = opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()), 48000);
  return n > 0 && n <= 5760 ? n : 0;  // at most 120 ms (RFC 6716 §3.2.5)
}

bool OpusPacketQueue::push(std::span<const uint8_t> packet) {
  int samples = opus_packet_samples(packet);
  if (samples == 0) return false;
  std::lock_guard lock(mutex_);
  if (!enabled_ || packets_.size() >= kMaxPackets) return false;
  packets_.push_back({std::vector<uint8_t>(packet.begin(), packet.end()), samples});
  return true;
}

void OpusPacketQueue::set_enabled(bool enabled) {
  std::lock_guard lock(mutex_);
  if (enabled_ != enabled) packets_.clear();
  enabled_ = enabled;
}

bool OpusPacketQueue::enabled() const {
  std::lock_guard lock(mutex_);
  return enabled_;
}

size_t OpusPacketQueue::size() const {
  std::lock_guard lock(mutex_);
  return packets_.size();
}

std::optional<OpusPacketQueue::Packet> OpusPacketQueue::take(int samples) {
  std::lock_guard lock(mutex_);
  if (packets_.empty()) return std::nullopt;
  Packet first = std::move(packets_.front());
  packets_.pop_front();
  if (first.samples >= samples || packets_.empty()) return first;
  // Shorter than one encoder frame (2.5, 5 or 10 ms packets): join the next ones into one
  // payload, as RTP can carry no more than one packet per encoder frame here.
  OpusRepacketizer* rp = opus_repacketizer_create();
  if (!rp) return first;
  std::vector<Packet> joined;
  joined.push_back(std::move(first));
  int total = joined.back().samples;
  if (opus_repacketizer_cat(rp, joined.back().bytes.data(), static_cast<opus_int32>(joined.back().bytes.size())) != OPUS_OK) {
    opus_repacketizer_destroy(rp);
    return std::move(joined.front());
  }
  while (total < samples && !packets_.empty() && (packets_.front().bytes[0] >> 2) == (joined.front().bytes[0] >> 2)) {
    auto& next = packets_.front();
    // cat keeps a pointer to the data: the packet moves to `joined` first (its buffer stays put).
    joined.push_back(std::move(next));
    packets_.pop_front();
    if (opus_repacketizer_cat(rp, joined.back().bytes.data(), static_cast<opus_int32>(joined.back().bytes.size())) != OPUS_OK) {
      packets_.push_front(std::move(joined.back()));
      joined.pop_back();
      break;
    }
    total += joined.back().samples;
  }
  Packet out;
  if (joined.size() > 1) {
    out.bytes.resize(kMaxPacketBytes * 2);
    int n = opus_repacketizer_out(rp, out.bytes.data(), static_cast<opus_int32>(out.bytes.size()));
    if (n > 0) {
      out.bytes.resize(static_cast<size_t>(n));
      out.samples = total;
    } else {
      out = std::move(joined.front());  // cannot join: send the first alone
    }
  } else {
    out = std::move(joined.front());
  }
  opus_repacketizer_destroy(rp);
  return out;
}

void OpusPassthroughTransformer::Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  auto cb = callback();
  if (!cb) return;
  const uint32_t ts = frame->GetTimestamp();
  if (last_timestamp_) {
    uint32_t step = ts - *last_timestamp_;
    if (step == 480 || step == 960 || step == 1920 || step == 2880) frame_samples_ = static_cast<int>(step);
  }
  last_timestamp_ = ts;
  if (!queue_->enabled()) {
    owed_ = 0;
    cb->OnTransformedFrame(std::move(frame));  // the encoder's own output
    return;
  }
  if (owed_ >= frame_samples_) {
    owed_ -= frame_samples_;  // this slot is inside the previous (longer) packet: nothing sent
    return;
  }
  owed_ = 0;
  auto packet = queue_->take(frame_samples_);
  if (!packet) return;  // nothing queued (end of file): nothing sent, the clock moves on
  frame->SetData(packet->bytes);
  owed_ = packet->samples > frame_samples_ ? packet->samples - frame_samples_ : 0;
  cb->OnTransformedFrame(std::move(frame));
}

rtc::scoped_refptr<webrtc::TransformedFrameCallback> OpusPassthroughTransformer::callback() const {
  std::lock_guard lock(mutex_);
  return callback_;
}

void OpusPassthroughTransformer::RegisterTransformedFrameCallback(
    rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void OpusPassthroughTransformer::RegisterTransformedFrameSinkCallback(
    rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback, uint32_t /*ssrc*/) {
  RegisterTransformedFrameCallback(std::move(callback));
}

void OpusPassthroughTransformer::UnregisterTransformedFrameCallback() {
  std::lock_guard lock(mutex_);
  callback_ = nullptr;
}

void OpusPassthroughTransformer::UnregisterTransformedFrameSinkCallback(uint32_t /*ssrc*/) {
  UnregisterTransformedFrameCallback();
}

}  // namespace parley::peer::detail
