#include "app/duration.hpp"

#include <charconv>
#include <cstdint>

namespace parley::app {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  std::int64_t factor_ms = 0;
  if (unit.empty() || unit == "s") factor_ms = 1000;
  else if (unit == "ms") factor_ms = 1;
  else if (unit == "m") factor_ms = 60'000;
  else if (unit == "h") factor_ms = 3'600'000;
  else if (unit == "d") factor_ms = 86'400'000;
  else return std::nullopt;
  if (value > INT64_MAX / factor_ms) return std::nullopt;
  return std::chrono::milliseconds(value * factor_ms);
}

}  // namespace parley::app
