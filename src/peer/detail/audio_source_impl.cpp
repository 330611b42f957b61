#include "peer/detail/audio_source_impl.hpp"

#include <algorithm>

#include "api/make_ref_counted.h"

namespace parley::peer::detail {

void PushAudioSource::AddSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard lock(mutex_);
  if (std::find(sinks_.begin(), sinks_.end(), sink) == sinks_.end()) sinks_.push_back(sink);
}

void PushAudioSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard lock(mutex_);
  std::erase(sinks_, sink);
}

int PushAudioSource::sink_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(sinks_.size());
}

void PushAudioSource::push(std::span<const int16_t> interleaved, int sample_rate, int channels) {
  if (sample_rate < 8000 || sample_rate > 48000 || sample_rate % 100 != 0 || channels < 1 || channels > 2) return;
  std::lock_guard lock(mutex_);
  if (sample_rate != rate_ || channels != channels_) {
    pending_.clear();  // format change: a partial frame of the old format is useless
    rate_ = sample_rate;
    channels_ = channels;
  }
  // The encoder takes exactly 10 ms per call.
  const size_t frame = static_cast<size_t>(sample_rate / 100) * static_cast<size_t>(channels);
  pending_.insert(pending_.end(), interleaved.begin(), interleaved.end());
  size_t offset = 0;
  while (pending_.size() - offset >= frame) {
    for (auto* sink : sinks_)
      sink->OnData(pending_.data() + offset, 16, sample_rate, static_cast<size_t>(channels),
                   static_cast<size_t>(sample_rate / 100));
    offset += frame;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(offset));
}

AudioSourceImpl::AudioSourceImpl() : source_(rtc::make_ref_counted<PushAudioSource>()) {}

}  // namespace parley::peer::detail

namespace parley::peer {

std::shared_ptr<AudioSource> AudioSource::create() { return std::make_shared<detail::AudioSourceImpl>(); }

}  // namespace parley::peer
