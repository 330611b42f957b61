#pragma once
// Feedback words of a file transfer (PROTOCOL.md §7.6 rule 7): the receiver answers each binary
// chunk with its byte length as a 4-byte big-endian word; the sender reads the reply bytes as a
// stream, since words may be split or coalesced across messages.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::protocol {

std::string encode_feedback_word(std::uint32_t n);

class FeedbackReader {
 public:
  // Appends every complete word in `bytes` (after any partial word kept from before).
  void feed(std::string_view bytes, std::vector<std::uint32_t>& words);
  std::uint64_t total() const { return total_; }         // sum of all complete words
  std::uint64_t word_count() const { return count_; }   // complete words seen, zero words included

 private:
  unsigned char partial_[4] = {};
  std::size_t partial_len_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace parley::protocol
