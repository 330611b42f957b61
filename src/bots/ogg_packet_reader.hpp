// Reads the Opus packets of an Ogg Opus file one by one (PROTOCOL.md §8.3): Ogg lacing is
// followed (a packet may span pages, a page may hold several packets), OpusHead and OpusTags are
// skipped, and each audio packet is returned as is, for passthrough. One reader per listener.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::bots {

class OggPacketReader {
 public:
  // nullptr when the file cannot be opened.
  static std::unique_ptr<OggPacketReader> open(const std::string& path, bool loop);
  ~OggPacketReader();
  OggPacketReader(const OggPacketReader&) = delete;
  OggPacketReader& operator=(const OggPacketReader&) = delete;

  // The next audio packet. With loop, the end of the file continues at its first audio packet;
  // without, nullopt at the end (and on a read error, or a file with no audio packet at all).
  std::optional<std::vector<uint8_t>> next();

 private:
  OggPacketReader(std::FILE* file, bool loop);
  bool restart();
  std::optional<std::vector<uint8_t>> next_in_pass();

  struct State;
  std::FILE* file_;
  bool loop_;
  std::unique_ptr<State> state_;
  uint64_t packets_this_pass_ = 0;
};

}  // namespace parley::bots
