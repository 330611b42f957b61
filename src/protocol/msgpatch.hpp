#pragma once
// Patch orders of the `msgpatch` channel (PROTOCOL.md §7.7): one binary message per order,
// kind (1 byte), id length (u16 BE), id, value length (u16 BE), value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

enum class PatchKind : std::uint8_t { append = 0x00, replace = 0x01 };

struct PatchOrder {
  PatchKind kind = PatchKind::replace;
  std::string message_id;
  std::string value;
};

// nullopt for an unknown kind or a length that is not exactly 5 + L1 + L2.
std::optional<PatchOrder> decode_patch(std::string_view bytes);
// nullopt when the id or the value is longer than 65,535 bytes (never truncated silently).
std::optional<std::string> encode_patch(const PatchOrder& order);

}  // namespace parley::protocol
