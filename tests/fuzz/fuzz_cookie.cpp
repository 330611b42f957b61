// libFuzzer target: the Cookie header (session_id lookup). Every value found is a substring of
// the header (or empty), without separators; nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "accounts/http/cookie.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  for (const auto& value : parley::accounts::cookie_values(header, "session_id")) {
    if (value.find(';') != std::string_view::npos) std::abort();
    if (!value.empty() && (value.data() < header.data() || value.data() + value.size() > header.data() + header.size()))
      std::abort();
  }
  try {
    (void)parley::accounts::parse_same_site(header);  // a flag value: a bad one is refused at start
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
