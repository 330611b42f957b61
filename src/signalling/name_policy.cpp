#include "signalling/name_policy.hpp"

#include <fmt/format.h>
#include <unicode/uchar.h>

#include "signalling/unicode.hpp"

namespace parley::signalling {
namespace {

// U+FFFD too: it is what a malformed byte decodes to. Invisible characters let a name pass for
// another (F5 of issue 12: "ec\u200Bho").
bool is_forbidden_in_name(char32_t c) { return is_control_or_bidi(c) || is_invisible(c) || c == 0xFFFD; }

}  // namespace

bool is_invisible(char32_t c) {
  const bool variation_selector = (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) ||
                                  (c >= 0x180B && c <= 0x180D) || c == 0x180F;  // Mongolian
  const bool needed_by_text = c == 0x200C || c == 0x200D || variation_selector || (c >= 0xE0020 && c <= 0xE007F);
  if (needed_by_text) return false;
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
         (c >= 0xFFF9 && c <= 0xFFFB);  // interlinear annotation controls: format, not default-ignorable
}

bool is_valid_node_name(std::string_view name) {
  const auto cps = utf8_decode(name);
  if (cps.empty() || cps.size() > kMaxNameCodePoints) return false;
  for (char32_t c : cps)
    if (is_forbidden_in_name(c)) return false;
  return true;
}

std::string default_node_name(std::uint64_t counter) { return fmt::format("user{:04d}", counter); }

std::string avoid_reserved(const std::string& name, std::string_view own_username, const ReservedNames& reserved) {
  if (!reserved.reserved_for_other(name, own_username)) return name;
  const auto base = utf8_decode(name);
  // Bounded: each account reserves one name, so a free variant appears within a few tries;
  // the bound only guards against a pathological store.
  for (int n = 2; n < 10000; ++n) {
    const std::string suffix = "-" + std::to_string(n);
    auto cps = base;
    if (cps.size() + suffix.size() > kMaxNameCodePoints) cps.resize(kMaxNameCodePoints - suffix.size());
    std::string candidate = utf8_encode(cps) + suffix;
    if (!reserved.reserved_for_other(candidate, own_username)) return candidate;
  }
  return name + "-" + std::to_string(10000);
}

}  // namespace parley::signalling
