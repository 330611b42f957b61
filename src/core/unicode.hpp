#pragma once
// Minimal UTF-8 helpers for name rules (§2.8). Input is valid UTF-8 (checked by the JSON parser).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

std::vector<char32_t> utf8_decode(std::string_view text);
std::string utf8_encode(const std::vector<char32_t>& code_points);
std::size_t utf8_length(std::string_view text);  // in code points
bool is_unicode_white_space(char32_t c);
// Trims Unicode White_Space (not only ASCII) from both ends.
std::string_view trim_unicode_space(std::string_view text);

}  // namespace parley::core
