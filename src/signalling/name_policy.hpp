#pragma once
// Node names (§2.8 step 1): trimming, validation, default names and reserved usernames.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::signalling {

// Answers whether a name looks like (same confusable skeleton, case-folded: confusables.hpp) the
// username of an account other than `own_username`. The accounts store implements it; without
// accounts nothing is reserved. Default names and `<base>-N` variants go through it too.
class ReservedNames {
public:
  virtual ~ReservedNames() = default;
  // Throws NamesUnavailable when it cannot tell (the store failed): never answers "free" then.
  virtual bool reserved_for_other(std::string_view name, std::string_view own_username) const = 0;
};

// The reserved names could not be read. Fail closed: the caller takes no name at all.
class NamesUnavailable : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class NoReservedNames final : public ReservedNames {
public:
  bool reserved_for_other(std::string_view, std::string_view) const override { return false; }
};

inline constexpr std::size_t kMaxNameCodePoints = 64;

// Characters that render as nothing and so let one name pass for another: the default-ignorable
// code points (U+200B, U+FEFF, U+00AD, U+2060, Hangul fillers, …) and U+FFF9–U+FFFB. Not the
// joiners U+200C/U+200D, variation selectors or emoji tags, which emoji and several scripts need;
// confusable skeletons ignore those instead.
bool is_invisible(char32_t c);

// 1–64 code points, no control, bidi-override or invisible characters.
bool is_valid_node_name(std::string_view name);

// "user0000", "user0001", …: at least four digits.
std::string default_node_name(std::uint64_t counter);

// Returns `name`, or the first free variant `<base>-2`, `<base>-3`, … (at most 64 code points)
// if it is reserved for another account. Lets NamesUnavailable through.
std::string avoid_reserved(const std::string& name, std::string_view own_username, const ReservedNames& reserved);

}  // namespace parley::signalling
