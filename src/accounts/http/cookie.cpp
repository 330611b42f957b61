#include "accounts/http/cookie.hpp"

#include <stdexcept>

#include "accounts/text_rules.hpp"

namespace parley::accounts {

SameSite parse_same_site(std::string_view text) {
  if (ascii_iequals(text, "none")) return SameSite::none;
  if (ascii_iequals(text, "lax")) return SameSite::lax;
  if (ascii_iequals(text, "strict")) return SameSite::strict;
  throw std::invalid_argument("cookie SameSite must be None, Lax or Strict");
}

std::vector<std::string> validate_cookie_config(const CookieConfig& config) {
  if (config.same_site == SameSite::none && !config.secure)
    throw std::invalid_argument("--cookie-samesite None requires --cookie-secure true");
  for (char c : config.domain) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ';' || c == ',')
      throw std::invalid_argument("--cookie-domain contains a character not allowed in a cookie domain");
  }
  std::vector<std::string> warnings;
  if (config.same_site == SameSite::strict)
    warnings.emplace_back(
        "--cookie-samesite Strict: the login callback is a cross-site navigation and will not carry the session "
        "cookie, so logins fail; prefer Lax");
  return warnings;
}

namespace {

std::string attributes(const CookieConfig& config, std::int64_t max_age) {
  std::string out = "; Path=/; Max-Age=" + std::to_string(max_age < 0 ? 0 : max_age);
  if (!config.domain.empty()) out += "; Domain=" + config.domain;
  out += "; HttpOnly";
  if (config.secure) out += "; Secure";
  switch (config.same_site) {
    case SameSite::none: out += "; SameSite=None"; break;
    case SameSite::lax: out += "; SameSite=Lax"; break;
    case SameSite::strict: out += "; SameSite=Strict"; break;
  }
  return out;
}

}  // namespace

std::string session_cookie(const CookieConfig& config, std::string_view value, std::int64_t max_age_seconds) {
  return std::string(kSessionCookieName) + "=" + std::string(value) + attributes(config, max_age_seconds);
}

std::string clear_session_cookie(const CookieConfig& config) {
  return std::string(kSessionCookieName) + "=" + attributes(config, 0);
}

std::vector<std::string_view> cookie_values(std::string_view header, std::string_view name) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = trim_ascii_space(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim_ascii_space(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim_ascii_space(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    out.push_back(value);
  }
  return out;
}

}  // namespace parley::accounts
