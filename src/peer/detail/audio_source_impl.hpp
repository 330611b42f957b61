// Internal: an AudioSourceInterface fed by AudioSource::push, one per track, so that each
// listener gets its own stream and the audio device records nothing.
#pragma once

#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/notifier.h"
#include "peer/audio_source.hpp"
#include "peer/detail/opus_passthrough.hpp"

namespace parley::peer::detail {

class PushAudioSource : public webrtc::Notifier<webrtc::AudioSourceInterface> {
 public:
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;

  void push(std::span<const int16_t> interleaved, int sample_rate, int channels);
  int sink_count() const;

 private:
  mutable std::mutex mutex_;
  std::vector<webrtc::AudioTrackSinkInterface*> sinks_;
  std::vector<int16_t> pending_;  // less than 10 ms, waiting for the next push
  int rate_ = 0;
  int channels_ = 0;
};

class AudioSourceImpl final : public AudioSource {
 public:
  AudioSourceImpl();
  void push(std::span<const int16_t> interleaved, int sample_rate, int channels) override {
    source_->push(interleaved, sample_rate, channels);
  }
  int sink_count() const override { return source_->sink_count(); }
  void set_passthrough(bool enabled) override { packets_->set_enabled(enabled); }
  bool push_opus(std::span<const uint8_t> packet) override { return packets_->push(packet); }
  size_t queued_opus() const override { return packets_->size(); }
  const rtc::scoped_refptr<PushAudioSource>& source() const { return source_; }
  const std::shared_ptr<OpusPacketQueue>& packets() const { return packets_; }

 private:
  rtc::scoped_refptr<PushAudioSource> source_;
  std::shared_ptr<OpusPacketQueue> packets_ = std::make_shared<OpusPacketQueue>();
};

}  // namespace parley::peer::detail
