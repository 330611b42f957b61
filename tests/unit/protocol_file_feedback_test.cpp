#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixture_loader.hpp"
#include "support/hex.hpp"
#include "protocol/file_feedback.hpp"

using namespace parley::protocol;

using parley::test::from_hex;

TEST(FeedbackFixtures, WordsAreReadAcrossSplitsAndCoalescing) {
  const auto fixtures = parley::test::load_fixture("datachannel/feedback_words.json").as_array();
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    FeedbackReader reader;
    std::vector<std::uint32_t> words;
    for (const auto& chunk : obj.at("chunks").as_array()) reader.feed(from_hex(chunk.as_string()), words);
    std::vector<std::uint32_t> expected;
    std::uint64_t sum = 0;
    for (const auto& w : obj.at("words").as_array()) {
      expected.push_back(static_cast<std::uint32_t>(w.to_number<std::uint64_t>()));
      sum += expected.back();
    }
    EXPECT_EQ(words, expected);
    EXPECT_EQ(reader.total(), sum);
    EXPECT_EQ(reader.word_count(), expected.size());
  }
}

TEST(Feedback, EncodeIsBigEndian) {
  EXPECT_EQ(encode_feedback_word(16384), std::string("\x00\x00\x40\x00", 4));
  EXPECT_EQ(encode_feedback_word(0xffffffffu), std::string("\xff\xff\xff\xff", 4));
}
