#include "accounts/account_provisioning.hpp"

#include "accounts/account_names.hpp"
#include "accounts/random.hpp"
#include "accounts/text_rules.hpp"

namespace parley::accounts {

namespace {

std::string clean_display_name(std::string_view name) {
  return display_name_problem(name) ? std::string{} : std::string(trim_ascii_space(name));
}

std::string clean_avatar(std::string_view url, bool allow_http) {
  const bool scheme_ok = url.substr(0, 8) == "https://" || (allow_http && url.substr(0, 7) == "http://");
  if (url.size() > 2048 || !scheme_ok || has_control_characters(url)) return {};
  for (char c : url)
    if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\') return {};
  return std::string(url);
}

// The first `n` code points of valid UTF-8 `s`.
std::string first_code_points(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < s.size() && count < n; ++count) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
  }
  return std::string(s.substr(0, i));
}

Provisioned ok(storage::User user) {
  Provisioned p;
  p.user = std::move(user);
  return p;
}

Provisioned refreshed(storage::Storage& storage, storage::User user, std::string display_name, std::string avatar) {
  if (user.display_name != display_name || user.avatar_url != avatar) {
    storage.update_user_profile(user.id, display_name, avatar);
    user.display_name = std::move(display_name);
    user.avatar_url = std::move(avatar);
  }
  return ok(std::move(user));
}

}  // namespace

Provisioned AccountProvisioner::create(storage::User user, std::string_view base_username) {
  if (!acceptable_login_username(base_username)) return Provisioned{std::nullopt, "invalid username"};
  for (int attempt = 0; attempt <= kCollisionRetries; ++attempt) {
    user.id = uuid_v4();
    user.username = std::string(base_username);
    if (attempt > 0) {
      // Keep the result within 64 code points, so it stays a valid node name (§2.8).
      user.username = first_code_points(base_username, 59);
      user.username += '-';
      user.username += random_hex(4);
    }
    switch (storage_.insert_user(user)) {
      case storage::InsertUserResult::ok: return ok(std::move(user));
      case storage::InsertUserResult::username_taken:
      case storage::InsertUserResult::username_confusable: continue;  // a suffixed name next
      case storage::InsertUserResult::identity_taken: {
        // Another login of the same identity won the race: use its account.
        auto existing = user.github_id ? storage_.user_by_github_id(*user.github_id)
                                       : storage_.user_by_dn42(user.dn42_asn.value_or(""), user.dn42_mnt.value_or(""));
        if (existing) return ok(std::move(*existing));
        continue;  // a UUID collision: try again with a new id
      }
    }
  }
  return Provisioned{std::nullopt, "username already exists"};
}

Provisioned AccountProvisioner::github(std::int64_t github_id, std::string_view login, std::string_view name,
                                       std::string_view avatar_url, std::int64_t now) {
  std::string display = clean_display_name(name);
  std::string avatar = clean_avatar(avatar_url, allow_http_avatars_);
  if (auto existing = storage_.user_by_github_id(github_id))
    return refreshed(storage_, std::move(*existing), std::move(display), std::move(avatar));
  storage::User user;
  user.github_id = github_id;
  user.display_name = std::move(display);
  user.avatar_url = std::move(avatar);
  user.created_at = now;
  return create(std::move(user), login);
}

Provisioned AccountProvisioner::dn42(std::string_view asn, std::string_view maintainer, std::string_view display_name,
                                     std::int64_t now) {
  std::string display = clean_display_name(display_name.empty() ? maintainer : display_name);
  if (auto existing = storage_.user_by_dn42(asn, maintainer)) {
    std::string avatar = existing->avatar_url;
    return refreshed(storage_, std::move(*existing), std::move(display), std::move(avatar));
  }
  storage::User user;
  user.dn42_asn = std::string(asn);
  user.dn42_mnt = std::string(maintainer);
  user.display_name = std::move(display);
  user.created_at = now;
  return create(std::move(user), maintainer);
}

}  // namespace parley::accounts
