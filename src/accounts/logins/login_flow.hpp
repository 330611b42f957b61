#pragma once
// The provider-independent half of a login (PROTOCOL.md §4.1): session + nonce at start, nonce
// check at the callback, session binding and the 307 at the end.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/http/http_types.hpp"
#include "accounts/logins/nonce_table.hpp"
#include "accounts/logins/redirect_policy.hpp"
#include "accounts/session_service.hpp"

namespace parley::accounts {

class LoginFlow {
 public:
  LoginFlow(SessionService& sessions, NonceTable& nonces, RedirectPolicy redirects);

  struct Begun {
    std::string nonce;
    std::optional<std::string> set_cookie;  // attach to the 307 when present
  };
  // `current_page` is the raw query value ("" when absent).
  Begun begin(std::string_view provider, std::string_view cookie_header, std::string_view current_page,
              std::int64_t now);

  struct Checked {
    std::optional<HttpReply> error;  // a 400 when the nonce does not fit
    std::string session_id;          // the browser's session, to bind on success
    std::string redirect_target;
  };
  // Consumes `nonce` (single use, whatever the outcome) and checks it belongs to this browser.
  Checked check(std::string_view provider, std::string_view nonce, std::string_view cookie_header, std::int64_t now);

  // Binds the session to `user_id` with a new id and answers 307 to the target with the cookie.
  HttpReply finish(const Checked& checked, std::string_view user_id, std::int64_t now);

  // A 307 carrying `set_cookie` if given (login start).
  static HttpReply redirect(std::string location, const std::optional<std::string>& set_cookie);

  const RedirectPolicy& redirects() const { return redirects_; }

 private:
  SessionService& sessions_;
  NonceTable& nonces_;
  RedirectPolicy redirects_;
};

}  // namespace parley::accounts
