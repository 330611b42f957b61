#pragma once
// Small UTF-8 checks shared by username and display-name validation.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/ascii.hpp"

namespace parley::accounts {

// Number of code points, or nullopt if `text` is not well-formed UTF-8 (overlongs, surrogates,
// truncated sequences and values above U+10FFFF are rejected).
std::optional<std::size_t> utf8_length(std::string_view text);

// True if `text` has a control character (U+0000–U+001F, U+007F–U+009F) or a bidi/line control
// (U+2028, U+2029, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), as in PROTOCOL.md §2.8 step 1.3.
// `text` must be valid UTF-8.
bool has_control_characters(std::string_view text);

// The ASCII rules live with the wire formats; accounts code names them unqualified.
using protocol::ascii_iequals;
using protocol::ascii_lowercase;
using protocol::trim_ascii_space;

}  // namespace parley::accounts
