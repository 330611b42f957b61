// TURN with long-term credentials through a real coturn on loopback: with relay-only candidates
// the connection works with the right password and never forms with a wrong one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "harness.hpp"

namespace parley::peer::test {
namespace {

int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return s.local_endpoint().port();
}

// coturn for the duration of a test, logging to a file beside nothing else.
class Turn {
 public:
  Turn() : port_(free_port()) {
    int relay = 40000 + (port_ % 20000);
    log_ = "/tmp/parley-turn-" + std::to_string(port_) + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      std::string p = std::to_string(port_), lo = std::to_string(relay), hi = std::to_string(relay + 50);
      execlp("turnserver", "turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
             ("--listening-port=" + p).c_str(), ("--min-port=" + lo).c_str(), ("--max-port=" + hi).c_str(),
             "--lt-cred-mech", "--user=parley:secret", "--realm=parley.test", "--allow-loopback-peers", "--no-tls",
             "--no-dtls", "--no-cli", "--simple-log", ("--log-file=" + log_).c_str(), "--no-stdout-log",
             ("--pidfile=" + log_ + ".pid").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ~Turn() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  bool running() { return waitpid(pid_, nullptr, WNOHANG) == 0; }
  PeerConfig config(const std::string& password) const {
    PeerConfig c;
    c.ice_servers = {{{"turn:127.0.0.1:" + std::to_string(port_) + "?transport=udp"}, "parley", password}};
    c.relay_only = true;
    return c;
  }

 private:
  int port_;
  pid_t pid_ = -1;
  std::string log_;
};

TEST(PeerTurn, RelayOnlyConnectsWithTheRightCredentialsOnly) {
  Turn turn;
  ASSERT_TRUE(turn.running()) << "turnserver (Debian package coturn) did not start";
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter, turn.config("secret"));
  ASSERT_TRUE(pair) << "no data channel through the TURN relay";
  std::atomic<bool> got{false};
  loop.run([&] {
    pair->b_chat->on_message([&](DataMessage&& m) { got = m.data == "relayed", waiter.notify(); });
    return pair->a_chat->send_text("relayed");
  });
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return got.load(); }));
  // Every candidate gathered was a relay candidate allocated by this TURN server.
  loop.run([&] {
    std::lock_guard lock(waiter.mutex());
    EXPECT_FALSE(pair->a_candidates.empty());
    for (const auto& c : pair->a_candidates) EXPECT_NE(c.find(" typ relay"), std::string::npos) << c;
    for (const auto& c : pair->b_candidates) EXPECT_NE(c.find(" typ relay"), std::string::npos) << c;
    return 0;
  });
  loop.run([&] {
    pair->a->close();
    pair->b->close();
    return 0;
  });

  auto bad = connect_pair(factory, loop, waiter, turn.config("wrong"));
  EXPECT_FALSE(bad) << "connected through TURN with a wrong password";
}

}  // namespace
}  // namespace parley::peer::test
