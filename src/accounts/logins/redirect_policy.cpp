#include "accounts/logins/redirect_policy.hpp"
#include "accounts/text_rules.hpp"

#include <stdexcept>

namespace parley::accounts {

namespace {

// Printable ASCII only: the result goes into a Location header.
bool safe_chars(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string url_origin(std::string_view url) {
  if (!safe_chars(url)) return {};
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  const std::string scheme = ascii_lowercase(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return {};
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return {};
  std::string host = ascii_lowercase(authority);
  std::string port;
  const auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return {};
  }
  if (host.empty()) return {};
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

RedirectPolicy::RedirectPolicy(std::string success_url) : success_url_(std::move(success_url)) {
  origin_ = url_origin(success_url_);
  if (origin_.empty()) throw std::invalid_argument("login success URL must be an absolute http(s) URL");
}

std::string RedirectPolicy::resolve(std::string_view current_page) const {
  if (current_page.empty() || current_page.size() > 2048 || !safe_chars(current_page)) return success_url_;
  if (current_page.front() == '/') {
    if (current_page.size() > 1 && current_page[1] == '/') return success_url_;  // protocol-relative
    return origin_ + std::string(current_page);
  }
  // An absolute URL is accepted only with exactly our origin; its path must follow at once.
  const std::string origin = url_origin(current_page);
  if (origin.empty() || origin != origin_) return success_url_;
  const auto sep = current_page.find("://");
  const auto rest_at = current_page.find_first_of("/?#", sep + 3);
  return origin_ + (rest_at == std::string_view::npos ? std::string("/") : std::string(current_page.substr(rest_at)));
}

}  // namespace parley::accounts
