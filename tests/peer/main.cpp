// GoogleTest main, plus the child mode used by the abrupt-disappearance test.
#include <gtest/gtest.h>

#include <cstring>

#include "child_answerer.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--child-answerer") == 0) return parley::peer::test::run_child_answerer();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
