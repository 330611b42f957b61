// libFuzzer target: a chat data-channel message (PROTOCOL.md §7.3) from a peer. Decoding never
// crashes, and whatever is accepted re-encodes to a message that decodes to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/chat_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = parley::protocol::decode_chat_message(text);
  if (!first) return 0;
  (void)parley::protocol::to_string(parley::protocol::kind_of(*first));
  const auto encoded = parley::protocol::encode_chat_message(*first);
  const auto second = parley::protocol::decode_chat_message(encoded);
  if (!second) std::abort();
  if (parley::protocol::encode_chat_message(*second) != encoded) std::abort();
  return 0;
}
