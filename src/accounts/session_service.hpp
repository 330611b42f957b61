#pragma once
// Browser sessions (PROTOCOL.md §3.8): created only at login start, bound to a user at login
// (with a new id), looked up from the Cookie header, deleted at logout.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/http/cookie.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

struct SessionConfig {
  std::int64_t pre_login_lifetime_seconds = 600;        // 10 min to finish a login
  std::int64_t lifetime_seconds = 30LL * 24 * 3600;     // --session-lifetime, from login
  storage::SessionLimits limits;                        // 10,000 pre-login, 50 per user
  CookieConfig cookie;
};

class SessionService {
 public:
  static constexpr std::size_t kIdBytes = 32;  // 256 bits, 43 URL-safe characters

  SessionService(storage::Storage& storage, SessionConfig config);

  struct Live {
    std::string id;  // the cookie value
    storage::Session session;
  };
  // The first live session named by a `session_id` cookie in the header (bound or not).
  std::optional<Live> find(std::string_view cookie_header, std::int64_t now);
  // The user of the first live session bound to an existing user, if any.
  std::optional<storage::User> user_for(std::string_view cookie_header, std::int64_t now);

  struct Started {
    Live live;
    std::optional<std::string> set_cookie;  // a Set-Cookie value when a session was created
  };
  // For `/login/start`: reuses a live session, otherwise creates a pre-login one.
  Started start(std::string_view cookie_header, std::int64_t now);

  // Login succeeded: replaces session `old_id` with a fresh id bound to `user_id` (rotation).
  // Returns the Set-Cookie value for the new id, with Max-Age = lifetime.
  std::string bind(std::string_view old_id, std::string_view user_id, std::int64_t now);

  // Deletes every session named in the header; returns the clearing Set-Cookie value.
  std::string logout(std::string_view cookie_header);

  const SessionConfig& config() const { return config_; }

  // The stored form of a session id.
  static std::string digest(std::string_view id);

 private:
  storage::Storage& storage_;
  SessionConfig config_;
};

}  // namespace parley::accounts
