#include "accounts/session_service.hpp"

#include "accounts/random.hpp"

namespace parley::accounts {

namespace {
// Ids we issue are 43 base64url characters; anything far off is not worth a database lookup.
bool plausible_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}
}  // namespace

SessionService::SessionService(storage::Storage& storage, SessionConfig config)
    : storage_(storage), config_(std::move(config)) {}

std::string SessionService::digest(std::string_view id) { return sha256_hex(id); }

std::optional<SessionService::Live> SessionService::find(std::string_view cookie_header, std::int64_t now) {
  for (std::string_view id : cookie_values(cookie_header, kSessionCookieName)) {
    if (!plausible_id(id)) continue;
    if (auto s = storage_.session_by_hash(digest(id), now)) return Live{std::string(id), std::move(*s)};
  }
  return std::nullopt;
}

std::optional<storage::User> SessionService::user_for(std::string_view cookie_header, std::int64_t now) {
  for (std::string_view id : cookie_values(cookie_header, kSessionCookieName)) {
    if (!plausible_id(id)) continue;
    const auto s = storage_.session_by_hash(digest(id), now);
    if (!s || !s->user_id) continue;
    if (auto u = storage_.user_by_id(*s->user_id)) return u;
  }
  return std::nullopt;
}

SessionService::Started SessionService::start(std::string_view cookie_header, std::int64_t now) {
  if (auto live = find(cookie_header, now)) return Started{std::move(*live), std::nullopt};
  Live live;
  live.id = random_token(kIdBytes);
  live.session.id_hash = digest(live.id);
  live.session.created_at = now;
  live.session.expires_at = now + config_.pre_login_lifetime_seconds;
  storage_.insert_session(live.session, config_.limits, now);
  std::string cookie = session_cookie(config_.cookie, live.id, config_.pre_login_lifetime_seconds);
  return Started{std::move(live), std::move(cookie)};
}

std::string SessionService::bind(std::string_view old_id, std::string_view user_id, std::int64_t now) {
  const std::string id = random_token(kIdBytes);
  storage::Session fresh;
  fresh.id_hash = digest(id);
  fresh.user_id = std::string(user_id);
  fresh.created_at = now;
  fresh.expires_at = now + config_.lifetime_seconds;
  storage_.replace_session(digest(old_id), fresh, config_.limits, now);
  return session_cookie(config_.cookie, id, config_.lifetime_seconds);
}

std::string SessionService::logout(std::string_view cookie_header) {
  for (std::string_view id : cookie_values(cookie_header, kSessionCookieName))
    if (plausible_id(id)) storage_.delete_session(digest(id));
  return clear_session_cookie(config_.cookie);
}

}  // namespace parley::accounts
