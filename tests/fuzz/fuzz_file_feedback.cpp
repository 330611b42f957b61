// libFuzzer target: file-transfer feedback words (PROTOCOL.md §7.6 rule 7) arrive split and
// coalesced at any byte. However the stream is cut, the reader finds the same words.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocol/file_feedback.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data + 1), size - 1);
  parley::protocol::FeedbackReader whole, pieces;
  std::vector<std::uint32_t> a, b;
  whole.feed(all, a);
  // The first byte chooses how the same bytes are cut into messages.
  const std::size_t step = 1 + data[0] % 7;
  for (std::size_t i = 0; i < all.size(); i += step) pieces.feed(all.substr(i, step), b);
  if (a != b || whole.total() != pieces.total() || whole.word_count() != pieces.word_count()) std::abort();
  if (a.size() != all.size() / 4) std::abort();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (parley::protocol::encode_feedback_word(a[i]) != all.substr(i * 4, 4)) std::abort();
  return 0;
}
