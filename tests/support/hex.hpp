#pragma once
// "48656c6c6f" -> "Hello": the shared fixtures write binary data-channel messages in hex.
#include <string>
#include <string_view>

namespace parley::test {

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

}  // namespace parley::test
