// Small helpers shared by the runtime and the bots.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace parley::bots {

// A random UUID v4, lowercase with hyphens (message ids, correlation ids).
std::string new_uuid();

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Cuts a UTF-8 string to at most max_bytes without splitting a code point.
std::string truncate_utf8(std::string s, std::size_t max_bytes);

}  // namespace parley::bots
