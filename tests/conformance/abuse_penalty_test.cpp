// An address whose connection was closed for abuse waits before it may connect again (issue 12,
// slow reader and flood): the flooder that reconnected 85 times a second, each time buying an
// upgrade, a register broadcast and a frame burst, now gets a 429 with Retry-After (1 s, doubling).
// Other addresses are not affected; behind a trusted proxy the X-Forwarded-For client waits.
// Clients bind distinct loopback addresses (127.0.0.2, …) to be distinct addresses.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

// One raw WebSocket client from `local_ip`: the upgrade's answer head, then frames.
class Client {
public:
  Client(std::uint16_t port, const char* local_ip, const std::string& extra_headers = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, local_ip, &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) throw std::runtime_error("bind failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extra_headers + "\r\n");
    while (head_.find("\r\n\r\n") == std::string::npos) {
      char c;
      if (::recv(fd_, &c, 1, 0) != 1) break;
      head_ += c;
    }
  }
  ~Client() { ::close(fd_); }
  const std::string& head() const { return head_; }
  bool upgraded() const { return head_.starts_with("HTTP/1.1 101"); }
  void send(const std::string& bytes) { (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Sends garbage until the server closes the connection for abuse; true once it did.
  bool abuse() {
    for (int i = 0; i < 40; ++i) send(masked_frame(0x1, "not json"));
    char buf[4096];
    for (;;) {
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

private:
  int fd_ = -1;
  std::string head_;
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(AbusePenalty, AnAddressClosedForAbuseWaitsDoublingAndOthersDoNot) {
  ServerProcess server({"--metrics", "true"});
  {
    Client flooder(server.port(), "127.0.0.2");
    ASSERT_TRUE(flooder.upgraded()) << flooder.head();
    ASSERT_TRUE(flooder.abuse());
  }
  Client again(server.port(), "127.0.0.2");
  EXPECT_TRUE(again.head().starts_with("HTTP/1.1 429")) << again.head();
  EXPECT_TRUE(has(again.head(), "Retry-After: 1\r\n")) << again.head();
  Client neighbour(server.port(), "127.0.0.3");
  EXPECT_TRUE(neighbour.upgraded()) << neighbour.head();
  Client local(server.port(), "127.0.0.1");  // a trusted proxy without X-Forwarded-For: never waits
  EXPECT_TRUE(local.upgraded()) << local.head();

  std::this_thread::sleep_for(1100ms);
  {
    Client back(server.port(), "127.0.0.2");
    ASSERT_TRUE(back.upgraded()) << "the first wait is one second: " << back.head();
    ASSERT_TRUE(back.abuse());
  }
  Client twice(server.port(), "127.0.0.2");
  EXPECT_TRUE(has(twice.head(), "Retry-After: 2\r\n")) << "the second wait doubles: " << twice.head();

  const auto text = http_request(server.port(), "GET", "/metrics").body;
  EXPECT_TRUE(has(text, "\nparley_abuse_penalties_total 2\n")) << text;
  EXPECT_TRUE(has(text, "\nparley_handshake_failures_total{reason=\"penalised\"} 2\n")) << text;
}

TEST(AbusePenalty, BehindATrustedProxyTheForwardedClientWaits) {
  ServerProcess server;
  {
    Client flooder(server.port(), "127.0.0.1", "X-Forwarded-For: 198.51.100.7\r\n");
    ASSERT_TRUE(flooder.upgraded()) << flooder.head();
    ASSERT_TRUE(flooder.abuse());
  }
  Client same(server.port(), "127.0.0.1", "X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\n");  // the last hop counts
  EXPECT_TRUE(same.head().starts_with("HTTP/1.1 429")) << same.head();
  Client other(server.port(), "127.0.0.1", "X-Forwarded-For: 198.51.100.8\r\n");
  EXPECT_TRUE(other.upgraded()) << other.head();
  Client spoofed(server.port(), "127.0.0.4", "X-Forwarded-For: 198.51.100.7\r\n");  // not a proxy: its own address
  EXPECT_TRUE(spoofed.upgraded()) << spoofed.head();
}

TEST(AbusePenalty, ZeroTurnsItOff) {
  ServerProcess server({"--abuse-penalty", "0"});
  {
    Client flooder(server.port(), "127.0.0.2");
    ASSERT_TRUE(flooder.abuse());
  }
  Client again(server.port(), "127.0.0.2");
  EXPECT_TRUE(again.upgraded()) << again.head();
}
