#pragma once
// Durations in flags: "30s", "5m", "12h", "90d", "1500ms", or a bare number of seconds.
#include <chrono>
#include <optional>
#include <string_view>

namespace parley::app {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace parley::app
