// Close frames a client sends (issue 12, F7; RFC 6455 §5.5.1, §7.4): valid codes are echoed, an
// empty close gets 1000, a bad code or a one-byte payload gets 1002, a reason that is not UTF-8
// gets 1007. Real server, raw sockets.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

class CloseCodes : public ::testing::Test {
protected:
  ServerProcess server;

  // The server's answer to one close frame with this payload, on a fresh registered connection.
  std::optional<int> answer_to(const std::string& payload) {
    RawWsClient raw(server.port(), 65536);
    raw.send_text(R"({"register":{"node_name":"closer"}})");
    raw.send_raw(masked_frame(0x8, payload));
    return raw.read_close_code(3s);
  }
};

std::string code_bytes(int code) { return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)}; }

}  // namespace

TEST_F(CloseCodes, ValidCodesAreEchoed) {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(answer_to(code_bytes(code) + "bye"), code);
  }
}

TEST_F(CloseCodes, EmptyCloseGetsNormalClosure) { EXPECT_EQ(answer_to(""), 1000); }

TEST_F(CloseCodes, CodesAPeerMayNotSendGetProtocolError) {
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(answer_to(code_bytes(code)), 1002);
  }
}

TEST_F(CloseCodes, OneBytePayloadGetsProtocolError) { EXPECT_EQ(answer_to("\x03"), 1002); }

TEST_F(CloseCodes, ReasonThatIsNotUtf8GetsInvalidPayload) {
  EXPECT_EQ(answer_to(code_bytes(1000) + "\xC3\x28"), 1007);
  EXPECT_EQ(answer_to(code_bytes(4000) + "ok \xF0\x9F\x98"), 1007);  // truncated 😀
  EXPECT_EQ(answer_to(code_bytes(1000) + "caf\xC3\xA9"), 1000);     // valid UTF-8 is fine
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
}
