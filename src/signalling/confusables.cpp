#include "signalling/confusables.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <memory>
#include <stdexcept>

#include "signalling/unicode.hpp"

namespace parley::signalling {
namespace {

void check(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) throw std::runtime_error(std::string(what) + ": " + u_errorName(status));
}

// Opened once; ICU documents skeleton computation on a shared checker as thread-safe.
const USpoofChecker& spoof_checker() {
  static const std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> sc(uspoof_open(&status), &uspoof_close);
    check(status, "uspoof_open");
    return sc;
  }();
  return *checker;
}

const icu::Normalizer2& nfkc_casefold() {
  static const icu::Normalizer2* instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const auto* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
    check(status, "NFKC_Casefold");
    return n;
  }();
  return *instance;
}

// ICU 72's skeleton keeps default-ignorables (UTS #39 removes them only since Unicode 15.1).
icu::UnicodeString without_ignorables(std::string_view name) {
  icu::UnicodeString out;
  for (char32_t c : utf8_decode(name))
    if (!u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
      out.append(static_cast<UChar32>(c));
  return out;
}

icu::UnicodeString fold(const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  auto out = nfkc_casefold().normalize(text, status);
  check(status, "NFKC_Casefold");
  return out;
}

icu::UnicodeString skeleton(const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  uspoof_getSkeletonUnicodeString(&spoof_checker(), 0, text, out, &status);
  check(status, "uspoof_getSkeleton");
  return out;
}

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  return text.toUTF8String(out);
}

}  // namespace

NameSkeletons name_skeletons(std::string_view name) {
  const auto visible = without_ignorables(name);
  // Folded again after the skeleton, whose prototypes are not all lowercase ("0" → "O").
  return {to_utf8(fold(skeleton(fold(visible)))), to_utf8(fold(skeleton(visible)))};
}

bool look_alike(const NameSkeletons& a, const NameSkeletons& b) {
  return a.folded == b.folded || a.folded == b.as_written || a.as_written == b.folded ||
         a.as_written == b.as_written;
}

}  // namespace parley::signalling
