#include "ogg_writer.hpp"

#include <ogg/ogg.h>
#include <opus/opus.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace parley::bots::test {
namespace {

void put_le(std::vector<unsigned char>& v, uint32_t x, int bytes) {
  for (int i = 0; i < bytes; ++i) v.push_back(static_cast<unsigned char>((x >> (8 * i)) & 0xff));
}

bool write_pages(ogg_stream_state& os, FILE* f, bool flush) {
  ogg_page page;
  while (flush ? ogg_stream_flush(&os, &page) : ogg_stream_pageout(&os, &page)) {
    if (fwrite(page.header, 1, static_cast<size_t>(page.header_len), f) != static_cast<size_t>(page.header_len)) return false;
    if (fwrite(page.body, 1, static_cast<size_t>(page.body_len), f) != static_cast<size_t>(page.body_len)) return false;
  }
  return true;
}

}  // namespace

bool write_ogg_sine(const std::string& path, double hz, double seconds) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  if (!enc) return false;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
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
  put_le(tags, 0, 4);
  ogg_packet p{};
  p.packet = head.data(), p.bytes = static_cast<long>(head.size()), p.b_o_s = 1, p.packetno = 0;
  ogg_stream_packetin(&os, &p);
  write_pages(os, f, true);
  p = {};
  p.packet = tags.data(), p.bytes = static_cast<long>(tags.size()), p.packetno = 1;
  ogg_stream_packetin(&os, &p);
  write_pages(os, f, true);

  const int frames = static_cast<int>(seconds * 50);
  std::vector<opus_int16> pcm(960 * 2);
  std::vector<unsigned char> out(4000);
  int64_t i = 0;
  for (int n = 0; n < frames; ++n) {
    for (int k = 0; k < 960; ++k, ++i) {
      auto v = static_cast<opus_int16>(std::sin(2 * 3.14159265358979 * hz * static_cast<double>(i) / 48000) * 12000);
      pcm[2 * k] = pcm[2 * k + 1] = v;
    }
    int len = opus_encode(enc, pcm.data(), 960, out.data(), static_cast<opus_int32>(out.size()));
    if (len < 0) break;
    p = {};
    p.packet = out.data(), p.bytes = len, p.packetno = 2 + n, p.granulepos = 312 + static_cast<int64_t>(n + 1) * 960;
    p.e_o_s = n == frames - 1;
    ogg_stream_packetin(&os, &p);
    write_pages(os, f, false);
  }
  write_pages(os, f, true);
  ogg_stream_clear(&os);
  opus_encoder_destroy(enc);
  return std::fclose(f) == 0;
}

}  // namespace parley::bots::test
