// append_json_string must produce JSON that a real parser reads back to the same bytes, for
// every mix of plain runs and characters that need escaping.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "protocol/json_writer.hpp"

namespace {

std::string escaped(std::string_view s) {
  std::string out;
  parley::protocol::append_json_string(out, s);
  return out;
}

std::string round_trip(std::string_view s) { return std::string(boost::json::parse(escaped(s)).as_string()); }

TEST(JsonWriter, PlainTextIsCopiedAsIs) { EXPECT_EQ(escaped("v=0 o=- 42 IN IP4"), "\"v=0 o=- 42 IN IP4\""); }

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(escaped("a\"b\\c\r\n\t\b\f"), R"("a\"b\\c\r\n\t\b\f")");
  EXPECT_EQ(escaped(std::string("\x01x\x1f", 3)), R"("\u0001x\u001f")");
  EXPECT_EQ(escaped(std::string("\0", 1)), R"("\u0000")");
}

TEST(JsonWriter, EscapesAtEveryPositionRoundTrip) {
  const std::string specials = std::string("\"\\\n\r\t\x01\x7f", 7) + "é€";
  for (std::size_t len = 0; len < 12; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (char special : specials) {
        std::string s(len, 'x');
        s.insert(at, 1, special);
        if (static_cast<unsigned char>(special) >= 0x80) continue;  // half a UTF-8 sequence
        ASSERT_EQ(round_trip(s), s) << "len " << len << " at " << at;
      }
    }
  }
  EXPECT_EQ(round_trip("{\"sdp\":\"v=0\\r\\n\"} é€ 😀"), "{\"sdp\":\"v=0\\r\\n\"} é€ 😀");
}

TEST(JsonWriter, AppendsAfterExistingText) {
  std::string out = "{\"k\":";
  parley::protocol::append_json_string(out, "v\"");
  EXPECT_EQ(out, R"({"k":"v\"")");
}

}  // namespace
