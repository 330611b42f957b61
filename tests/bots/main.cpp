// GoogleTest main, plus the child mode used by the vanishing-peer test: a client in its own
// process, so that the test can freeze it (SIGSTOP) with no goodbye of any kind.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <thread>

#include "bots_harness.hpp"

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--child-client") == 0) {
    parley::bots::test::Client c(std::atoi(argv[2]), "vanisher");
    if (!c.connect_to(argv[3])) return 1;
    std::cout << "ready" << std::endl;
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // until killed
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
