#pragma once
// ASCII text rules of HTTP and of usernames: case folding, case-insensitive equality, trimming.
// One copy for the server; non-ASCII bytes are left as they are.
#include <string>
#include <string_view>

namespace parley::protocol {

char ascii_lower(char c);
// A copy with ASCII letters lowered (schemes, hosts, media types, header parameter names).
std::string ascii_lowercase(std::string_view text);
// ASCII-only case-insensitive equality (header names, schemes; usernames are unique this way,
// like SQLite NOCASE).
bool ascii_iequals(std::string_view a, std::string_view b);
// Without leading and trailing spaces, tabs, CR, LF, FF and VT.
std::string_view trim_ascii_space(std::string_view text);

}  // namespace parley::protocol
