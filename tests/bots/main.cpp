// GoogleTest main, plus the child mode used by the vanishing-peer test (a client in its own
// process, so that the test can freeze it with SIGSTOP, with no goodbye of any kind), and a
// writer of Ogg Opus files for the Chromium suite.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <thread>

#include "bots_harness.hpp"
#include "ogg_writer.hpp"

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--child-client") == 0) {
    parley::bots::test::Client c(std::atoi(argv[2]), "vanisher");
    if (!c.connect_to(argv[3])) return 1;
    std::cout << "ready" << std::endl;
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // until killed
  }
  // Writes an Ogg Opus sine for the Chromium suite: --write-ogg PATH HZ SECONDS.
  if (argc == 5 && std::strcmp(argv[1], "--write-ogg") == 0)
    return parley::bots::test::write_ogg_sine(argv[2], std::atof(argv[3]), std::atof(argv[4])) ? 0 : 1;
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
