#include "accounts/text_rules.hpp"

#include "signalling/unicode.hpp"

namespace parley::accounts {

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) { return signalling::utf8_length_strict(text); }

bool has_control_characters(std::string_view text) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (!signalling::decode_code_point(text, i, cp)) return true;  // malformed counts as forbidden
    if (signalling::is_control_or_bidi(cp)) return true;
  }
  return false;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string_view trim_ascii_space(std::string_view text) {
  constexpr std::string_view ws = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(ws);
  return text.substr(first, last - first + 1);
}

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace parley::accounts
