// EchoBot receives a file over a `file` channel and sends the same bytes back (§7.6, §9.2).
#include <gtest/gtest.h>

#include <random>

#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;

TEST(EchoBotFiles, AFileComesBackByteExactWithItsMetadata) {
  Stack stack({"--bots", "EchoBot", "--echo-max-file", "4"});
  Client c(stack.port());
  ASSERT_TRUE(c.connect_to("EchoBot"));
  std::string bytes(3 * 1024 * 1024 + 123, '\0');
  std::mt19937 rng(42);
  for (auto& b : bytes) b = static_cast<char>(rng());
  c.send_file("EchoBot", "random.bin", bytes);
  ASSERT_TRUE(c.wait(30s, [&] { return !c.files("EchoBot").empty(); })) << stack.bots_log();
  EXPECT_TRUE(c.files("EchoBot")[0] == bytes) << "the echoed file differs";
  auto r = c.received("EchoBot");
  bool meta = false;
  for (auto& m : r)
    if (m.message.file && m.message.file->name == "random.bin" && m.message.file->size == bytes.size() &&
        m.message.file->sha256 && m.message.file->sha256->size() == 64)
      meta = true;
  EXPECT_TRUE(meta) << "no echoed metadata with name, size and sha256";

  // Over --echo-max-file: refused by closing the channel; nothing comes back.
  c.send_file("EchoBot", "big.bin", std::string(5 * 1024 * 1024, 'x'));
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(c.files("EchoBot").size(), 1u);
}

}  // namespace
}  // namespace parley::bots::test
