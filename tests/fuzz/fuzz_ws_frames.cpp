// libFuzzer target: the WebSocket frame parser must never crash, never assemble a message over
// its soft limit, and give the same events however the bytes are split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "transport/ws_frame_parser.hpp"

namespace {
std::vector<std::string> run(std::string_view bytes, std::size_t piece) {
  parley::transport::WsFrameParser parser(1024, 8192);
  std::vector<std::string> out;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const bool ok = parser.feed(bytes.substr(at, piece), [&](parley::transport::WsEvent&& e) {
      if (e.payload.size() > 1024) std::abort();
      out.push_back(std::to_string(static_cast<int>(e.kind)) + ":" + std::to_string(e.close_code) + ":" + e.payload);
    });
    parser.shrink();
    if (!ok) break;
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (run(bytes, bytes.size() + 1) != run(bytes, piece)) std::abort();
  return 0;
}
