#pragma once
// Client-to-server WebSocket frames built by hand (RFC 6455 §5.2), for tests that need frames a
// library would never send: fragments, interleaved control frames, odd lengths.
#include <cstdint>
#include <string>

namespace parley::test {

inline std::string masked_frame(std::uint8_t opcode, const std::string& payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  const char mask[4] = {'\x37', '\xfa', '\x21', '\x3d'};
  out.append(mask, 4);
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

}  // namespace parley::test
