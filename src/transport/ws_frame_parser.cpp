#include "transport/ws_frame_parser.hpp"

#include <cstring>

#include "signalling/unicode.hpp"

namespace parley::transport {

bool WsFrameParser::parse_header(WsEvent& error) {
  const auto b0 = static_cast<unsigned char>(header_[0]);
  const auto b1 = static_cast<unsigned char>(header_[1]);
  error.close_code = 1002;
  if (b0 & 0x70) return false;     // RSV bits: no extension was negotiated
  if (!(b1 & 0x80)) return false;  // clients must mask
  fin_ = (b0 & 0x80) != 0;
  opcode_ = static_cast<WsOpcode>(b0 & 0x0F);
  std::uint64_t len = b1 & 0x7F;
  std::size_t pos = 2;
  if (len == 126) {
    len = (static_cast<unsigned char>(header_[2]) << 8) | static_cast<unsigned char>(header_[3]);
    pos = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(header_[2 + i]);
    pos = 10;
    if (len >> 63) return false;
  }
  for (int i = 0; i < 4; ++i) mask_[i] = static_cast<std::uint8_t>(header_[pos + i]);
  mask_pos_ = 0;
  remaining_ = len;

  switch (opcode_) {
    case WsOpcode::close:
    case WsOpcode::ping:
    case WsOpcode::pong:
      if (!fin_ || len > 125) return false;  // control frames are small and unfragmented
      control_.clear();
      return true;
    case WsOpcode::text:
    case WsOpcode::binary:
      if (in_message_) return false;  // a new message inside a fragmented one
      in_message_ = true;
      message_opcode_ = opcode_;
      message_size_ = 0;
      message_.clear();
      break;
    case WsOpcode::continuation:
      if (!in_message_) return false;
      break;
    default:
      return false;  // reserved opcodes
  }
  if (message_size_ + len > hard_limit_) {
    error.close_code = 1009;
    return false;
  }
  return true;
}

void WsFrameParser::unmask(char* p, std::size_t n) {
  std::size_t i = 0;
  for (; i < n && mask_pos_ != 0; ++i) {  // realign to the start of the mask
    p[i] = static_cast<char>(static_cast<std::uint8_t>(p[i]) ^ mask_[mask_pos_]);
    mask_pos_ = (mask_pos_ + 1) & 3;
  }
  // Eight bytes at a time: every relayed SDP passes through here.
  std::uint8_t pattern[8];
  for (int k = 0; k < 8; ++k) pattern[k] = mask_[k & 3];
  std::uint64_t mask64;
  std::memcpy(&mask64, pattern, 8);
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= mask64;
    std::memcpy(p + i, &word, 8);
  }
  for (; i < n; ++i) {
    p[i] = static_cast<char>(static_cast<std::uint8_t>(p[i]) ^ mask_[mask_pos_]);
    mask_pos_ = (mask_pos_ + 1) & 3;
  }
}

std::size_t write_ws_header(unsigned char out[10], WsOpcode opcode, std::size_t n) {
  out[0] = static_cast<unsigned char>(0x80 | static_cast<std::uint8_t>(opcode));
  if (n < 126) {
    out[1] = static_cast<unsigned char>(n);
    return 2;
  }
  if (n <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(n >> 8);
    out[3] = static_cast<unsigned char>(n & 0xFF);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>((static_cast<std::uint64_t>(n) >> (56 - 8 * i)) & 0xFF);
  return 10;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xFF);
  out.append(reason.substr(0, 123));
  return out;
}

bool is_valid_peer_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

WsEvent close_event(std::string payload) {
  if (payload.empty()) return {WsEvent::Kind::close, {}, 1005};
  if (payload.size() == 1) return {WsEvent::Kind::protocol_error, {}, 1002};
  const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                               static_cast<unsigned char>(payload[1]));
  if (!is_valid_peer_close_code(code)) return {WsEvent::Kind::protocol_error, {}, 1002};
  payload.erase(0, 2);
  if (!signalling::utf8_length_strict(payload)) return {WsEvent::Kind::protocol_error, {}, 1007};
  return {WsEvent::Kind::close, std::move(payload), code};
}

}  // namespace parley::transport
