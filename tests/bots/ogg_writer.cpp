#include "ogg_writer.hpp"

#include <ogg/ogg.h>
#include <opus/opus.h>

#include <cmath>
#include <cstdio>
#include <numbers>

namespace parley::bots::test {
namespace {

void put_le(std::vector<unsigned char>& v, uint32_t x, int bytes) {
  for (int i = 0; i < bytes; ++i) v.push_back(static_cast<unsigned char>((x >> (8 * i)) & 0xff));
}

bool write_pages(ogg_stream_state& os, FILE* f, bool flush, long fill) {
  ogg_page page;
  auto next = [&] {
    if (flush) return ogg_stream_flush(&os, &page);
    return fill > 0 ? ogg_stream_flush_fill(&os, &page, static_cast<int>(fill)) : ogg_stream_pageout(&os, &page);
  };
  while (next()) {
    if (fwrite(page.header, 1, static_cast<size_t>(page.header_len), f) != static_cast<size_t>(page.header_len)) return false;
    if (fwrite(page.body, 1, static_cast<size_t>(page.body_len), f) != static_cast<size_t>(page.body_len)) return false;
  }
  return true;
}

}  // namespace

std::vector<std::vector<uint8_t>> write_ogg(const std::string& path, const OggSpec& spec) {
  std::vector<std::vector<uint8_t>> packets;
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  if (!enc) return {};
  if (spec.bitrate > 0) opus_encoder_ctl(enc, OPUS_SET_BITRATE(spec.bitrate));
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return {};
  ogg_stream_state os;
  ogg_stream_init(&os, 1234);
  // OpusHead (RFC 7845 §5.1): version 1, 2 channels, pre-skip 312, 48 kHz, gain 0, family 0.
  std::vector<unsigned char> head{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2};
  put_le(head, 312, 2);
  put_le(head, 48000, 4);
  put_le(head, 0, 2);
  head.push_back(0);
  std::vector<unsigned char> tags{'O', 'p', 'u', 's', 'T', 'a', 'g', 's'};
  put_le(tags, 4, 4);
  tags.insert(tags.end(), {'t', 'e', 's', 't'});
  put_le(tags, spec.tags_padding ? 1 : 0, 4);
  if (spec.tags_padding) {
    put_le(tags, static_cast<uint32_t>(spec.tags_padding + 2), 4);
    tags.insert(tags.end(), {'X', '='});
    tags.insert(tags.end(), spec.tags_padding, 'x');
  }
  ogg_packet p{};
  p.packet = head.data(), p.bytes = static_cast<long>(head.size()), p.b_o_s = 1, p.packetno = 0;
  ogg_stream_packetin(&os, &p);
  write_pages(os, f, true, 0);
  p = {};
  p.packet = tags.data(), p.bytes = static_cast<long>(tags.size()), p.packetno = 1;
  ogg_stream_packetin(&os, &p);
  write_pages(os, f, true, 0);

  const int frame = 48 * spec.frame_ms;
  std::vector<opus_int16> pcm(static_cast<size_t>(frame) * 2);
  std::vector<unsigned char> out(8000);
  double phase = 0;
  int64_t granule = 312, n = 0;
  for (size_t seg = 0; seg < spec.segments.size(); ++seg) {
    const auto [hz, seconds] = spec.segments[seg];
    const int count = static_cast<int>(std::lround(seconds * 1000 / spec.frame_ms));
    for (int c = 0; c < count; ++c, ++n) {
      for (int k = 0; k < frame; ++k) {
        phase += 2 * std::numbers::pi * hz / 48000;
        auto v = static_cast<opus_int16>(std::sin(phase) * 12000);
        pcm[2 * static_cast<size_t>(k)] = pcm[2 * static_cast<size_t>(k) + 1] = v;
      }
      int len = opus_encode(enc, pcm.data(), frame, out.data(), static_cast<opus_int32>(out.size()));
      if (len < 0) break;
      packets.emplace_back(out.begin(), out.begin() + len);
      granule += frame;
      p = {};
      p.packet = out.data(), p.bytes = len, p.packetno = 2 + n, p.granulepos = granule;
      p.e_o_s = seg + 1 == spec.segments.size() && c == count - 1;
      ogg_stream_packetin(&os, &p);
      write_pages(os, f, false, spec.page_fill);
    }
  }
  write_pages(os, f, true, 0);
  ogg_stream_clear(&os);
  opus_encoder_destroy(enc);
  if (std::fclose(f) != 0) return {};
  return packets;
}

bool write_ogg_sine(const std::string& path, double hz, double seconds) {
  return !write_ogg(path, {{{hz, seconds}}}).empty();
}

}  // namespace parley::bots::test
