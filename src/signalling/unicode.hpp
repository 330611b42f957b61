#pragma once
// UTF-8 helpers for name rules (§2.8) and account names: one decoder for the whole server.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::signalling {

// Decodes the code point at `i` and advances past it. False on malformed input (overlongs,
// surrogates, truncated sequences, values above U+10FFFF), leaving `i` unchanged.
bool decode_code_point(std::string_view text, std::size_t& i, char32_t& cp);

// Lenient: malformed bytes decode to U+FFFD one byte at a time (never loops on hostile input).
std::vector<char32_t> utf8_decode(std::string_view text);
std::string utf8_encode(const std::vector<char32_t>& code_points);
std::size_t utf8_length(std::string_view text);  // in code points, lenient as utf8_decode
// Code points, or nullopt if `text` is not well-formed UTF-8.
std::optional<std::size_t> utf8_length_strict(std::string_view text);
// C0/C1 controls and the bidi/line controls that PROTOCOL.md §2.8 step 1.3 forbids in names
// (U+2028, U+2029, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
bool is_control_or_bidi(char32_t c);
bool is_unicode_white_space(char32_t c);
// Trims Unicode White_Space (not only ASCII) from both ends.
std::string_view trim_unicode_space(std::string_view text);

}  // namespace parley::signalling
