// The server-side RFC 6455 parser on its own: every split point, control frames, limits.
#include <gtest/gtest.h>

#include "transport/ws_frame_parser.hpp"

using namespace parley::transport;

namespace {

std::string masked(std::uint8_t opcode, const std::string& payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  const char mask[4] = {'\x37', '\xfa', '\x21', '\x3d'};
  out.append(mask, 4);
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

struct Collected {
  std::vector<WsEvent> events;
  bool ok = true;
};

Collected feed_in_pieces(const std::string& bytes, std::size_t piece, std::size_t soft = 65536,
                         std::size_t hard = 1 << 20) {
  WsFrameParser parser(soft, hard);
  Collected c;
  for (std::size_t at = 0; at < bytes.size() && c.ok; at += piece) {
    c.ok = parser.feed(std::string_view(bytes).substr(at, piece), [&](WsEvent&& e) { c.events.push_back(std::move(e)); });
    parser.shrink();  // as the connection does after every read
  }
  return c;
}

}  // namespace

TEST(WsFrameParser, AnySplitOfTheStreamGivesTheSameMessages) {
  const std::string medium(5000, 'm');
  const std::string stream = masked(0x1, "hello") + masked(0x1, medium) + masked(0x9, "p") +
                             masked(0x1, "frag-", false) + masked(0xA, "") + masked(0x0, "mented") +
                             masked(0x1, std::string(60000, 'x')) + masked(0x2, "bin") + masked(0x8, "\x03\xe8" "bye");
  for (std::size_t piece : {1ul, 2ul, 3ul, 7ul, 13ul, 1000ul, 4096ul, 65536ul, stream.size()}) {
    SCOPED_TRACE(piece);
    auto c = feed_in_pieces(stream, piece);
    ASSERT_TRUE(c.ok);
    ASSERT_EQ(c.events.size(), 8u);
    EXPECT_EQ(c.events[0].payload, "hello");
    EXPECT_EQ(c.events[1].payload, medium);
    EXPECT_EQ(c.events[2].kind, WsEvent::Kind::ping);
    EXPECT_EQ(c.events[2].payload, "p");
    EXPECT_EQ(c.events[3].kind, WsEvent::Kind::pong);
    EXPECT_EQ(c.events[4].payload, "frag-mented");
    EXPECT_EQ(c.events[5].payload, std::string(60000, 'x'));
    EXPECT_EQ(c.events[6].kind, WsEvent::Kind::binary);
    EXPECT_EQ(c.events[7].kind, WsEvent::Kind::close);
    EXPECT_EQ(c.events[7].close_code, 1000);
    EXPECT_EQ(c.events[7].payload, "bye");
  }
}

TEST(WsFrameParser, MessageOverSoftLimitIsReportedTooLargeAndDropped) {
  auto c = feed_in_pieces(masked(0x1, std::string(70000, 'y')) + masked(0x1, "after"), 4096);
  ASSERT_TRUE(c.ok);
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].kind, WsEvent::Kind::too_large);
  EXPECT_TRUE(c.events[0].payload.empty());
  EXPECT_EQ(c.events[1].payload, "after");
}

TEST(WsFrameParser, FragmentsOverHardLimitFailWith1009) {
  std::string stream;
  for (int i = 0; i < 20; ++i) stream += masked(i == 0 ? 0x1 : 0x0, std::string(60000, 'z'), false);
  auto c = feed_in_pieces(stream, 65536, 65536, 1 << 20);
  EXPECT_FALSE(c.ok);
  ASSERT_FALSE(c.events.empty());
  EXPECT_EQ(c.events.back().kind, WsEvent::Kind::protocol_error);
  EXPECT_EQ(c.events.back().close_code, 1009);
}

TEST(WsFrameParser, ProtocolViolationsAreErrors1002) {
  const std::vector<std::string> bad = {
      std::string("\x81\x02{}", 4),                    // unmasked
      masked(0x3, "x"),                                // reserved opcode
      masked(0x0, "x"),                                // continuation without a message
      masked(0x9, std::string(126, 'p')),              // control frame too long
      masked(0x9, "p", false),                         // fragmented control frame
      masked(0x1, "a", false) + masked(0x1, "b"),      // new message inside a fragmented one
      std::string("\xC1\x80\x00\x00\x00\x00", 6),      // RSV1 set (no extension negotiated)
  };
  for (const auto& b : bad) {
    auto c = feed_in_pieces(b, 1);
    EXPECT_FALSE(c.ok);
    ASSERT_FALSE(c.events.empty());
    EXPECT_EQ(c.events.back().close_code, 1002);
  }
}

TEST(WsFrameParser, CloseWithoutCodeIs1005) {
  auto c = feed_in_pieces(masked(0x8, ""), 1);
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].close_code, 1005);
}

TEST(WsFrameParser, ServerHeaderLengths) {
  unsigned char h[10];
  EXPECT_EQ(write_ws_header(h, WsOpcode::text, 125), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(write_ws_header(h, WsOpcode::text, 126), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(write_ws_header(h, WsOpcode::close, 70000), 10u);
  EXPECT_EQ(h[0], 0x88);
  EXPECT_EQ(h[9], 70000 & 0xFF);
}
