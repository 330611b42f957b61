// libFuzzer target: the signalling envelope decoder must never crash, and whatever it accepts
// must re-encode to JSON that decodes to the same envelope.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto sender : {parley::protocol::Sender::client, parley::protocol::Sender::server}) {
    auto first = parley::protocol::decode_envelope(text, sender);
    if (!first.ok()) {
      if (first.error.code != "bad_json" && first.error.code != "bad_field") std::abort();
      continue;
    }
    const auto encoded = parley::protocol::encode_envelope(*first.envelope);
    auto second = parley::protocol::decode_envelope(encoded, sender);
    if (!second.ok()) std::abort();
    if (parley::protocol::encode_envelope(*second.envelope) != encoded) std::abort();
  }
  return 0;
}
