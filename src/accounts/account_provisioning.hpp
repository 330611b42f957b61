#pragma once
// Finding or creating the account behind a login (PROTOCOL.md §4.2 step 6, §4.3 step 8).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/storage/storage.hpp"

namespace parley::accounts {

struct Provisioned {
  std::optional<storage::User> user;  // the account, created or refreshed
  std::string error;                  // otherwise the `err` text of a 400
};

class AccountProvisioner {
 public:
  static constexpr int kCollisionRetries = 5;

  // `allow_http_avatars`: keep plain-http avatar URLs too (--avatar-allow-http, local tests only).
  explicit AccountProvisioner(storage::Storage& storage, bool allow_http_avatars = false)
      : storage_(storage), allow_http_avatars_(allow_http_avatars) {}

  // Keyed by the GitHub id. A new account takes `login` as username (`login-xxxx` on collision);
  // display name and avatar are refreshed at every login, the username never changes. A name
  // with control characters or an avatar that is not https is dropped rather than stored.
  Provisioned github(std::int64_t github_id, std::string_view login, std::string_view name,
                     std::string_view avatar_url, std::int64_t now);

  // Keyed by (ASN, maintainer). Username = maintainer (`-xxxx` on collision); display name =
  // `display_name` or the username.
  Provisioned dn42(std::string_view asn, std::string_view maintainer, std::string_view display_name, std::int64_t now);

 private:
  Provisioned create(storage::User user, std::string_view base_username);
  storage::Storage& storage_;
  bool allow_http_avatars_;
};

}  // namespace parley::accounts
