// Command matching helpers (§9.1: commands are matched after trimming white space).
#pragma once

#include <string>
#include <string_view>

namespace parley::bots {

inline std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\v\f";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

}  // namespace parley::bots
