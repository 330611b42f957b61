// The server-side RFC 6455 parser on its own: every split point, control frames, limits.
#include <gtest/gtest.h>

#include "support/ws_client_frame.hpp"
#include "transport/ws_frame_parser.hpp"

using namespace parley::transport;

namespace {

using parley::test::masked_frame;

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
  const std::string stream = masked_frame(0x1, "hello") + masked_frame(0x1, medium) + masked_frame(0x9, "p") +
                             masked_frame(0x1, "frag-", false) + masked_frame(0xA, "") + masked_frame(0x0, "mented") +
                             masked_frame(0x1, std::string(60000, 'x')) + masked_frame(0x2, "bin") + masked_frame(0x8, "\x03\xe8" "bye");
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
  auto c = feed_in_pieces(masked_frame(0x1, std::string(70000, 'y')) + masked_frame(0x1, "after"), 4096);
  ASSERT_TRUE(c.ok);
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].kind, WsEvent::Kind::too_large);
  EXPECT_TRUE(c.events[0].payload.empty());
  EXPECT_EQ(c.events[1].payload, "after");
}

TEST(WsFrameParser, FragmentsOverHardLimitFailWith1009) {
  std::string stream;
  for (int i = 0; i < 20; ++i) stream += masked_frame(i == 0 ? 0x1 : 0x0, std::string(60000, 'z'), false);
  auto c = feed_in_pieces(stream, 65536, 65536, 1 << 20);
  EXPECT_FALSE(c.ok);
  ASSERT_FALSE(c.events.empty());
  EXPECT_EQ(c.events.back().kind, WsEvent::Kind::protocol_error);
  EXPECT_EQ(c.events.back().close_code, 1009);
}

TEST(WsFrameParser, ProtocolViolationsAreErrors1002) {
  const std::vector<std::string> bad = {
      std::string("\x81\x02{}", 4),                    // unmasked
      masked_frame(0x3, "x"),                                // reserved opcode
      masked_frame(0x0, "x"),                                // continuation without a message
      masked_frame(0x9, std::string(126, 'p')),              // control frame too long
      masked_frame(0x9, "p", false),                         // fragmented control frame
      masked_frame(0x1, "a", false) + masked_frame(0x1, "b"),      // new message inside a fragmented one
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
  auto c = feed_in_pieces(masked_frame(0x8, ""), 1);
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

namespace {
std::string code_bytes(int code) { return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)}; }
}  // namespace

// RFC 6455 §5.5.1 and §7.4 (issue 12, F7): only codes a peer may send come through as a close.
TEST(WsFrameParser, CloseFramesWithCodesAPeerMaySendComeThrough) {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(code);
    auto c = feed_in_pieces(masked_frame(0x8, code_bytes(code) + "r\xC3\xA9sum\xC3\xA9"), 3);
    ASSERT_TRUE(c.ok);
    ASSERT_EQ(c.events.size(), 1u);
    EXPECT_EQ(c.events[0].kind, WsEvent::Kind::close);
    EXPECT_EQ(c.events[0].close_code, code);
    EXPECT_EQ(c.events[0].payload, "r\xC3\xA9sum\xC3\xA9");
  }
}

TEST(WsFrameParser, BadClosePayloadsAreProtocolErrors) {
  std::vector<std::pair<std::string, int>> cases = {{"\x03", 1002}, {code_bytes(1000) + "\xC3\x28", 1007},
                                                    {code_bytes(1000) + "\xED\xA0\x80", 1007}};
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
    cases.emplace_back(code_bytes(code), 1002);
  for (const auto& [payload, expected] : cases) {
    SCOPED_TRACE(testing::PrintToString(payload));
    auto c = feed_in_pieces(masked_frame(0x8, payload) + masked_frame(0x1, "after"), 64);
    EXPECT_FALSE(c.ok);
    ASSERT_EQ(c.events.size(), 1u);  // nothing after the bad close frame is read
    EXPECT_EQ(c.events[0].kind, WsEvent::Kind::protocol_error);
    EXPECT_EQ(c.events[0].close_code, expected);
  }
}
