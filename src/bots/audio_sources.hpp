// MusicBot's sources (PROTOCOL.md §8.2): C4 and A4 sines, white noise, and Ogg Opus files
// (checked with libopusfile, their packets passed through as they are, §8.3). Each listener
// gets its own generator or reader: nothing mutable is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bots/ogg_packet_reader.hpp"

namespace parley::bots {

// Produces 48 kHz stereo interleaved PCM for one listener.
class PcmGenerator {
 public:
  virtual ~PcmGenerator() = default;
  // Fills `out` (an even number of samples); returns false at the end of a non-looping file.
  virtual bool fill(std::span<int16_t> out) = 0;
};

struct SourceInfo {
  std::string name;
  enum class Kind { sine, noise, ogg } kind;
  double hz = 0;
  std::string path;  // ogg
};

// The sources in /list order: C4, A4, WhiteNoise, then each usable Ogg file (others are logged
// and skipped, as are names that repeat an earlier source).
std::vector<SourceInfo> build_sources(const std::vector<std::string>& ogg_files);

// What one listener plays: PCM to encode (C4, A4, WhiteNoise) or Opus packets to pass through
// (Ogg files).
struct ListenerStream {
  std::unique_ptr<PcmGenerator> pcm;
  std::unique_ptr<OggPacketReader> packets;
  explicit operator bool() const { return pcm || packets; }
};

// A fresh stream starting at the beginning of the source; empty if a file cannot be opened.
ListenerStream make_stream(const SourceInfo& source, bool loop);

}  // namespace parley::bots
