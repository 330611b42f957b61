// A peer that vanishes without a word (§6.6, §11.2): its process is frozen, so neither its
// peer connection nor its signalling says goodbye, and the server sends no `offline`. The bot's
// connection fails, and after the grace period the bot frees the peer's state.
#include <gtest/gtest.h>

#include <signal.h>

#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

bool log_has(Stack& s, const std::string& text, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (s.bots_log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(BotsVanish, AFrozenPeerIsFreedAfterTheFailedGrace) {
  Stack stack({"--bots", "CounterBot", "--ice-failure-timeout", "2s", "--peer-failed-grace", "1s"});
  ASSERT_TRUE(stack.wait_for_nodes({"CounterBot"}, 10s)) << stack.bots_log();
  char tmpl[] = "/tmp/parley-vanish-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  Process child({"/proc/self/exe", "--child-client", std::to_string(stack.port()), "CounterBot"}, dir + "/child.log");
  ASSERT_TRUE([&] {
    for (int i = 0; i < 150; ++i, std::this_thread::sleep_for(100ms))
      if (read_file(dir + "/child.log").find("ready") != std::string::npos) return true;
    return false;
  }()) << read_file(dir + "/child.log");
  ASSERT_TRUE(log_has(stack, "CounterBot: new peer", 5s));
  ASSERT_EQ(kill(child.pid(), SIGSTOP), 0);
  // ICE declares it failed (about 2 s), then 1 s of grace; its signalling is still open.
  const bool freed = log_has(stack, "left (failed for too long); 0 peers", 20s);
  kill(child.pid(), SIGCONT);
  EXPECT_TRUE(freed) << stack.bots_log();
  EXPECT_EQ(stack.bots_log().find("left (offline)"), std::string::npos) << "freed by offline, not by the failure";
}

}  // namespace
}  // namespace parley::bots::test
