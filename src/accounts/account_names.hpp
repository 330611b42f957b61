#pragma once
// Username rules: the management API's pattern (PROTOCOL.md §5), the looser check for names that
// come from identity providers, and the reserved-name lookup of §2.8 step 1.4.
#include <optional>
#include <string>
#include <string_view>

#include "signalling/name_policy.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

// ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$
bool valid_bot_username(std::string_view username);

// Names from GitHub or Kioubit: 1–64 code points of valid UTF-8, no control, bidi or invisible
// characters, no surrounding white space (a username is also a node name, §2.8).
bool acceptable_login_username(std::string_view username);

// Display names: at most 128 code points, valid UTF-8, no control characters. nullopt when fine,
// else the reason for "invalid display_name: <reason>".
std::optional<std::string> display_name_problem(std::string_view display_name);

// signalling::ReservedNames over the account store, for the name policy (avoid_reserved).
class AccountReservedNames final : public signalling::ReservedNames {
 public:
  explicit AccountReservedNames(storage::Storage& storage) : storage_(storage) {}

  // True if `name` looks like (signalling::look_alike: case-folded confusable skeletons) the
  // username of an account other than the connection's own (`own_username`, "" for anonymous
  // connections). New usernames may not look like existing ones, so this is comparing accounts;
  // older look-alike pairs each keep their exact username. A storage failure is logged and
  // answers false, so that name selection can never loop or throw.
  bool reserved_for_other(std::string_view name, std::string_view own_username) const override;

 private:
  storage::Storage& storage_;
};

}  // namespace parley::accounts
