#pragma once
// Small UTF-8 checks shared by username and display-name validation.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

// Number of code points, or nullopt if `text` is not well-formed UTF-8 (overlongs, surrogates,
// truncated sequences and values above U+10FFFF are rejected).
std::optional<std::size_t> utf8_length(std::string_view text);

// True if `text` has a control character (U+0000–U+001F, U+007F–U+009F) or a bidi/line control
// (U+2028, U+2029, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), as in PROTOCOL.md §2.8 step 1.3.
// `text` must be valid UTF-8.
bool has_control_characters(std::string_view text);

// ASCII-only case-insensitive equality (usernames are unique this way, like SQLite NOCASE).
bool ascii_iequals(std::string_view a, std::string_view b);

std::string_view trim_ascii_space(std::string_view text);

// A copy with ASCII letters lowered (schemes, hosts, media types, header parameter names).
std::string ascii_lowercase(std::string_view text);

}  // namespace parley::accounts
