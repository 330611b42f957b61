#include "accounts/account_names.hpp"

#include "accounts/text_rules.hpp"

#include <spdlog/spdlog.h>

namespace parley::accounts {

namespace {
bool alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

bool valid_bot_username(std::string_view username) {
  if (username.empty() || username.size() > 64 || !alnum(username.front())) return false;
  for (char c : username.substr(1))
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool acceptable_login_username(std::string_view username) {
  const auto len = utf8_length(username);
  if (!len || *len == 0 || *len > 64) return false;
  if (trim_ascii_space(username).size() != username.size()) return false;
  return signalling::is_valid_node_name(username);  // no control, bidi or invisible characters
}

std::optional<std::string> display_name_problem(std::string_view display_name) {
  const auto len = utf8_length(display_name);
  if (!len) return "not valid UTF-8";
  if (*len > 128) return "at most 128 characters";
  if (has_control_characters(display_name)) return "control characters are not allowed";
  return std::nullopt;
}

bool AccountReservedNames::reserved_for_other(std::string_view name, std::string_view own_username) const {
  if (name.empty() || name.size() > 256) return false;  // no account has such a username
  // One's own username stays one's own, even beside an older account that looks like it.
  if (ascii_iequals(name, own_username)) return false;
  try {
    for (const auto& user : storage_.users_looking_like(name))
      if (!ascii_iequals(user.username, own_username)) return true;
    return false;
  } catch (const storage::StorageError& e) {
    spdlog::error("reserved-name lookup failed: {}", e.what());
    throw signalling::NamesUnavailable(e.what());  // fail closed: no one takes a name unchecked
  }
}

}  // namespace parley::accounts
