// libFuzzer target: a `.env` file. Loading never crashes; a malformed line is reported, and a
// variable that was already set is never overwritten.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "app/dotenv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/parley-fuzz-dotenv-" + std::to_string(::getpid()) + ".env";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  ::clearenv();  // keeps the environment (and memory) bounded across runs
  ::setenv("PARLEY_FUZZ_KEPT", "original", 1);
  const auto result = parley::app::load_dotenv(path);
  if (!result.found) std::abort();
  if (result.loaded < 0) std::abort();
  const char* kept = std::getenv("PARLEY_FUZZ_KEPT");
  if (!kept || std::strcmp(kept, "original") != 0) std::abort();
  return 0;
}
