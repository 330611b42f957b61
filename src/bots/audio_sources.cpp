#include "bots/audio_sources.hpp"

#include <opusfile.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <numbers>

namespace parley::bots {
namespace {

constexpr double kAmplitude = 0.4 * 32767;  // at most half of full scale (§8.2)

class SineGenerator final : public PcmGenerator {
 public:
  explicit SineGenerator(double hz) : hz_(hz) {}
  bool fill(std::span<int16_t> out) override {
    for (size_t k = 0; k + 1 < out.size(); k += 2, ++i_) {
      // i counts continuously per listener; both channels are equal.
      auto v = static_cast<int16_t>(std::sin(2 * std::numbers::pi * hz_ * static_cast<double>(i_) / 48000) * kAmplitude);
      out[k] = out[k + 1] = v;
    }
    return true;
  }

 private:
  double hz_;
  uint64_t i_ = 0;
};

class NoiseGenerator final : public PcmGenerator {
 public:
  NoiseGenerator() : rng_(std::random_device{}()) {}
  bool fill(std::span<int16_t> out) override {
    std::uniform_real_distribution<double> d(-kAmplitude, kAmplitude);
    for (auto& s : out) s = static_cast<int16_t>(d(rng_));  // independent samples
    return true;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace

std::vector<SourceInfo> build_sources(const std::vector<std::string>& ogg_files) {
  std::vector<SourceInfo> sources{{"C4", SourceInfo::Kind::sine, 261.63, {}},
                                  {"A4", SourceInfo::Kind::sine, 440.0, {}},
                                  {"WhiteNoise", SourceInfo::Kind::noise, 0, {}}};
  for (const auto& path : ogg_files) {
    std::string name = std::filesystem::path(path).stem().string();
    if (name.empty() || std::any_of(sources.begin(), sources.end(), [&](const auto& s) { return s.name == name; })) {
      spdlog::warn("MusicBot: '{}' repeats the name of an earlier source; skipped", path);
      continue;
    }
    int error = 0;
    OggOpusFile* file = op_open_file(path.c_str(), &error);
    if (!file) {
      spdlog::warn("MusicBot: '{}' is not a readable Ogg Opus file (error {}); skipped", path, error);
      continue;
    }
    const OpusHead* head = op_head(file, -1);
    bool ok = head && head->mapping_family == 0 && head->channel_count >= 1 && head->channel_count <= 2;
    op_free(file);
    if (!ok) {
      spdlog::warn("MusicBot: '{}' is not mono or stereo (channel mapping family 0); skipped", path);
      continue;
    }
    sources.push_back({name, SourceInfo::Kind::ogg, 0, path});
  }
  return sources;
}

ListenerStream make_stream(const SourceInfo& source, bool loop) {
  ListenerStream stream;
  switch (source.kind) {
    case SourceInfo::Kind::sine: stream.pcm = std::make_unique<SineGenerator>(source.hz); break;
    case SourceInfo::Kind::noise: stream.pcm = std::make_unique<NoiseGenerator>(); break;
    case SourceInfo::Kind::ogg: stream.packets = OggPacketReader::open(source.path, loop); break;
  }
  return stream;
}

}  // namespace parley::bots
