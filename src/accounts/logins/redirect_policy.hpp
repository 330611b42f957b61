#pragma once
// Where a finished login may send the browser (PROTOCOL.md §4.1): only back to our own origin.
#include <string>
#include <string_view>

namespace parley::accounts {

class RedirectPolicy {
 public:
  // `success_url` is --login-success-redir-url (default http://localhost:3001/): an absolute http(s)
  // URL. Throws std::invalid_argument otherwise.
  explicit RedirectPolicy(std::string success_url = "http://localhost:3001/");

  // current_page is honoured as (a) a path with exactly one leading '/', no '\', resolved against
  // the origin of success_url, or (b) an absolute URL with exactly that origin. Anything else,
  // including control characters, spaces or non-ASCII bytes, yields success_url.
  std::string resolve(std::string_view current_page) const;

  const std::string& success_url() const { return success_url_; }
  const std::string& origin() const { return origin_; }  // scheme://host[:port], normalized

 private:
  std::string success_url_;
  std::string origin_;
};

// Normalized origin of an absolute http(s) URL: lowercase scheme and host, default port dropped.
// "" if `url` is not such a URL (no userinfo allowed, authority required).
std::string url_origin(std::string_view url);

}  // namespace parley::accounts
