#pragma once
// Node names (§2.8 step 1): trimming, validation, default names and reserved usernames.
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::signalling {

// Answers whether a name equals (ASCII case-insensitively) the username of an account other than
// `own_username`. The accounts store implements it; without accounts nothing is reserved.
class ReservedNames {
public:
  virtual ~ReservedNames() = default;
  virtual bool reserved_for_other(std::string_view name, std::string_view own_username) const = 0;
};

class NoReservedNames final : public ReservedNames {
public:
  bool reserved_for_other(std::string_view, std::string_view) const override { return false; }
};

inline constexpr std::size_t kMaxNameCodePoints = 64;

// 1–64 code points, no control or bidi-override characters.
bool is_valid_node_name(std::string_view name);

// "user0000", "user0001", …: at least four digits.
std::string default_node_name(std::uint64_t counter);

// Returns `name`, or the first free variant `<base>-2`, `<base>-3`, … (at most 64 code points)
// if it is reserved for another account.
std::string avoid_reserved(const std::string& name, std::string_view own_username, const ReservedNames& reserved);

}  // namespace parley::signalling
