// libFuzzer target: a `msgpatch` order (PROTOCOL.md §7.7) from a peer. Decoding never crashes;
// an accepted order re-encodes to exactly the input bytes (the format has one spelling).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/msgpatch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto order = parley::protocol::decode_patch(bytes);
  if (!order) return 0;
  const auto encoded = parley::protocol::encode_patch(*order);
  if (!encoded || *encoded != bytes) std::abort();
  return 0;
}
