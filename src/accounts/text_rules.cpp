#include "accounts/text_rules.hpp"

#include "signalling/unicode.hpp"

namespace parley::accounts {

std::optional<std::size_t> utf8_length(std::string_view text) { return signalling::utf8_length_strict(text); }

bool has_control_characters(std::string_view text) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (!signalling::decode_code_point(text, i, cp)) return true;  // malformed counts as forbidden
    if (signalling::is_control_or_bidi(cp)) return true;
  }
  return false;
}

}  // namespace parley::accounts
