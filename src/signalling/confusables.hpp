#pragma once
// Look-alike names (UTS #39): the confusable skeletons by which reserved names are compared (§2.8
// step 1.4), so that Cyrillic "еcho_bot" or full-width "ｅｃｈｏ_bot" is reserved for echo_bot.
#include <string>
#include <string_view>

namespace parley::signalling {

// Both are computed after removing default-ignorable code points (U+200B, U+FEFF, U+00AD, joiners,
// variation selectors, …). Two skeletons, because case folding and the skeleton disagree on one
// letter: folding maps capital I to i, the skeleton maps it to l. One skeleton alone would let
// either "ALICE" or "aIice" (capital I) pass as alice.
struct NameSkeletons {
  std::string folded;      // skeleton of the NFKC case-folded name: "ALICE" → "alice"
  std::string as_written;  // skeleton of the name as written, then folded: "aIice" → "alice"
};

// Lenient like utf8_decode: malformed bytes count as U+FFFD. Throws std::runtime_error only if
// ICU's data cannot be loaded (a broken installation).
NameSkeletons name_skeletons(std::string_view name);

// True if the names look alike: some skeleton of one equals some skeleton of the other.
bool look_alike(const NameSkeletons& a, const NameSkeletons& b);

}  // namespace parley::signalling
