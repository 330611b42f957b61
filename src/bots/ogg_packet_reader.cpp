#include "bots/ogg_packet_reader.hpp"

#include <ogg/ogg.h>

#include <cstring>

namespace parley::bots {

struct OggPacketReader::State {
  ogg_sync_state sync{};
  ogg_stream_state stream{};
  bool have_stream = false;
  bool in_headers = false;  // OpusHead seen, OpusTags not yet
  bool ended = false;       // our logical stream reached its end-of-stream page
  State() { ogg_sync_init(&sync); }
  ~State() {
    if (have_stream) ogg_stream_clear(&stream);
    ogg_sync_clear(&sync);
  }
};

std::unique_ptr<OggPacketReader> OggPacketReader::open(const std::string& path, bool loop) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return nullptr;
  return std::unique_ptr<OggPacketReader>(new OggPacketReader(f, loop));
}

OggPacketReader::OggPacketReader(std::FILE* file, bool loop)
    : file_(file), loop_(loop), state_(std::make_unique<State>()) {}

OggPacketReader::~OggPacketReader() {
  state_.reset();
  std::fclose(file_);
}

bool OggPacketReader::restart() {
  if (std::fseek(file_, 0, SEEK_SET) != 0) return false;
  state_ = std::make_unique<State>();
  packets_this_pass_ = 0;
  return true;
}

std::optional<std::vector<uint8_t>> OggPacketReader::next() {
  if (auto p = next_in_pass()) return p;
  // End of the file: loop only if this pass had audio, so an empty file cannot spin.
  if (!loop_ || packets_this_pass_ == 0 || !restart()) return std::nullopt;
  return next_in_pass();
}

std::optional<std::vector<uint8_t>> OggPacketReader::next_in_pass() {
  auto& s = *state_;
  for (;;) {
    if (s.have_stream) {
      ogg_packet packet;
      int r = ogg_stream_packetout(&s.stream, &packet);
      if (r < 0) continue;  // a hole (lost or corrupt page): skip to the next packet
      if (r > 0) {
        const auto* data = static_cast<const uint8_t*>(packet.packet);
        const auto size = static_cast<size_t>(packet.bytes);
        if (size >= 8 && std::memcmp(data, "OpusHead", 8) == 0) {
          s.in_headers = true;
          continue;
        }
        if (s.in_headers) {  // the packet after OpusHead is OpusTags
          s.in_headers = false;
          continue;
        }
        if (size == 0) continue;
        ++packets_this_pass_;
        return std::vector<uint8_t>(data, data + size);
      }
    }
    // Need a page.
    ogg_page page;
    int r = ogg_sync_pageout(&s.sync, &page);
    if (r < 0) continue;  // skipped garbage bytes
    if (r == 0) {
      char* buffer = ogg_sync_buffer(&s.sync, 8192);
      if (!buffer) return std::nullopt;
      size_t n = std::fread(buffer, 1, 8192, file_);
      if (n == 0) return std::nullopt;  // end of file (or read error)
      ogg_sync_wrote(&s.sync, static_cast<long>(n));
      continue;
    }
    const int serial = ogg_page_serialno(&page);
    if (ogg_page_bos(&page)) {
      // A new logical stream: the first one, or the next link of a chained file once ours has
      // ended. Only a stream whose first packet is OpusHead is kept (checked above).
      if (s.have_stream && !s.ended) continue;  // a multiplexed stream beside ours: ignored
      if (s.have_stream) ogg_stream_clear(&s.stream);
      ogg_stream_init(&s.stream, serial);
      s.have_stream = true;
      s.ended = false;
      s.in_headers = false;
      const bool opus = page.body_len >= 8 && std::memcmp(page.body, "OpusHead", 8) == 0;
      if (!opus) {
        s.ended = true;  // not Opus: wait for another stream
        continue;
      }
    }
    if (!s.have_stream || serial != s.stream.serialno || s.ended) continue;
    ogg_stream_pagein(&s.stream, &page);
    if (ogg_page_eos(&page)) s.ended = true;  // its packets still come out of the stream first
  }
}

}  // namespace parley::bots
