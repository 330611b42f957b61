#pragma once
// The `session_id` cookie (PROTOCOL.md §3.8): Set-Cookie values and reading the Cookie header.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::accounts {

enum class SameSite { none, lax, strict };

struct CookieConfig {
  std::string domain;               // --cookie-domain; "" adds no Domain attribute
  SameSite same_site = SameSite::lax;  // --cookie-samesite
  bool secure = false;              // --cookie-secure
};

inline constexpr std::string_view kSessionCookieName = "session_id";

// Parses None/Lax/Strict (ASCII case-insensitive); throws std::invalid_argument otherwise.
SameSite parse_same_site(std::string_view text);

// Startup check. Throws std::invalid_argument for SameSite=None without Secure, or a Domain with
// characters that would break the header. Returns warnings to log (SameSite=Strict breaks the
// cross-site login callback).
std::vector<std::string> validate_cookie_config(const CookieConfig& config);

// `session_id=<value>; Path=/; Max-Age=<n>; [Domain=D; ]HttpOnly; [Secure; ]SameSite=<x>`
std::string session_cookie(const CookieConfig& config, std::string_view value, std::int64_t max_age_seconds);
// The clearing cookie: `session_id=; Path=/; Max-Age=0` with the same Domain and flags.
std::string clear_session_cookie(const CookieConfig& config);

// Every value of cookie `name` in a Cookie header, in order (browsers may send several, e.g. with
// and without Domain). Values are returned as sent, without surrounding quotes.
std::vector<std::string_view> cookie_values(std::string_view cookie_header, std::string_view name);

}  // namespace parley::accounts
