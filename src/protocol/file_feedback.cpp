#include "protocol/file_feedback.hpp"

namespace parley::protocol {

std::string encode_feedback_word(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 8) & 0xff),
          static_cast<char>(n & 0xff)};
}

void FeedbackReader::feed(std::string_view bytes, std::vector<std::uint32_t>& words) {
  for (char c : bytes) {
    partial_[partial_len_++] = static_cast<unsigned char>(c);
    if (partial_len_ < 4) continue;
    std::uint32_t w = (std::uint32_t{partial_[0]} << 24) | (std::uint32_t{partial_[1]} << 16) |
                      (std::uint32_t{partial_[2]} << 8) | std::uint32_t{partial_[3]};
    partial_len_ = 0;
    total_ += w;
    ++count_;
    words.push_back(w);
  }
}

}  // namespace parley::protocol
