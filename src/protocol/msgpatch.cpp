#include "protocol/msgpatch.hpp"

namespace parley::protocol {
namespace {

std::size_t read_u16(std::string_view b, std::size_t at) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(b[at])) << 8) | static_cast<unsigned char>(b[at + 1]);
}

void append_u16(std::string& out, std::size_t n) {
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
}

}  // namespace

std::optional<PatchOrder> decode_patch(std::string_view b) {
  if (b.size() < 5) return std::nullopt;
  auto kind = static_cast<unsigned char>(b[0]);
  if (kind > 0x01) return std::nullopt;
  std::size_t l1 = read_u16(b, 1);
  if (b.size() < 5 + l1) return std::nullopt;
  std::size_t l2 = read_u16(b, 3 + l1);
  if (b.size() != 5 + l1 + l2) return std::nullopt;
  return PatchOrder{static_cast<PatchKind>(kind), std::string(b.substr(3, l1)), std::string(b.substr(5 + l1, l2))};
}

std::optional<std::string> encode_patch(const PatchOrder& order) {
  if (order.message_id.size() > 0xffff || order.value.size() > 0xffff) return std::nullopt;
  std::string out;
  out.reserve(5 + order.message_id.size() + order.value.size());
  out += static_cast<char>(order.kind);
  append_u16(out, order.message_id.size());
  out += order.message_id;
  append_u16(out, order.value.size());
  out += order.value;
  return out;
}

}  // namespace parley::protocol
