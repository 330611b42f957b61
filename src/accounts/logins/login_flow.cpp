#include "accounts/logins/login_flow.hpp"

namespace parley::accounts {

LoginFlow::LoginFlow(SessionService& sessions, NonceTable& nonces, RedirectPolicy redirects)
    : sessions_(sessions), nonces_(nonces), redirects_(std::move(redirects)) {}

LoginFlow::Begun LoginFlow::begin(std::string_view provider, std::string_view cookie_header,
                                  std::string_view current_page, std::int64_t now) {
  auto started = sessions_.start(cookie_header, now);
  Begun b;
  b.nonce = nonces_.issue(provider, started.live.session.id_hash, redirects_.resolve(current_page), now);
  b.set_cookie = std::move(started.set_cookie);
  return b;
}

LoginFlow::Checked LoginFlow::check(std::string_view provider, std::string_view nonce, std::string_view cookie_header,
                                    std::int64_t now) {
  Checked c;
  const auto live = sessions_.find(cookie_header, now);
  const auto consumed = nonces_.consume(provider, nonce, live ? std::string_view(live->session.id_hash) : "", now);
  // The nonce is echoed like the original does; cut it so a crafted one cannot bloat the reply.
  const std::string shown(nonce.substr(0, 64));
  switch (live ? consumed.failure : NonceTable::Failure::other_session) {
    case NonceTable::Failure::none:
      c.session_id = live->id;
      c.redirect_target = consumed.redirect_target;
      return c;
    case NonceTable::Failure::other_session:
      c.error = json_error(400, "Invalid nonce " + shown + ", no session is bound");
      return c;
    case NonceTable::Failure::expired:
      c.error = json_error(400, "Invalid nonce " + shown + ", expired");
      return c;
    case NonceTable::Failure::unknown:
      break;
  }
  c.error = json_error(400, "Invalid nonce " + shown);
  return c;
}

HttpReply LoginFlow::finish(const Checked& checked, std::string_view user_id, std::int64_t now) {
  return redirect(checked.redirect_target, sessions_.bind(checked.session_id, user_id, now));
}

HttpReply LoginFlow::redirect(std::string location, const std::optional<std::string>& set_cookie) {
  HttpReply r = redirect_reply(std::move(location));
  if (set_cookie) r.headers.emplace_back("Set-Cookie", *set_cookie);
  return r;
}

}  // namespace parley::accounts
