// Writes small Ogg Opus files (sine segments, 48 kHz stereo) with libopus and libogg, so that
// MusicBot's --ogg-file path and the packet reader are tested on real files made here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parley::bots::test {

struct OggSpec {
  std::vector<std::pair<double, double>> segments;  // (Hz, seconds), played in order
  int frame_ms = 20;                                // Opus frame size of every packet
  int bitrate = 0;                                  // 0: libopus's default
  long page_fill = 0;   // > 0: pages cut at about this many bytes (packets then span pages)
  size_t tags_padding = 0;  // extra bytes in OpusTags (a header spanning pages)
};

// The audio packets written, in order (for checks); empty on failure.
std::vector<std::vector<uint8_t>> write_ogg(const std::string& path, const OggSpec& spec);
bool write_ogg_sine(const std::string& path, double hz, double seconds);

}  // namespace parley::bots::test
