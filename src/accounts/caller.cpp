#include "accounts/caller.hpp"

#include "signalling/identity.hpp"

namespace parley::accounts {

namespace {

// The signalling identity of an account reached through `how`.
Caller caller_for(storage::User user, signalling::Authentication how) {
  Caller c;
  c.identity.authentication = how;
  c.identity.user_id = user.id;
  c.identity.username = user.username;
  c.identity.is_bot = user.is_bot;
  c.user = std::move(user);
  return c;
}

}  // namespace

HttpReply invalid_token_reply() { return json_error(401, "invalid token"); }

RequestAuthenticator::RequestAuthenticator(storage::Storage& storage, const JwtService& jwt, SessionService& sessions)
    : storage_(storage), jwt_(jwt), sessions_(sessions) {}

Caller RequestAuthenticator::resolve(std::string_view authorization, std::string_view cookie_header,
                                     std::int64_t now) const {
  bool bearer_rejected = false;
  JwtService::Error bearer_error = JwtService::Error::none;
  if (const auto token = signalling::bearer_token(authorization); !token.empty()) {
    const auto verified = jwt_.verify(token, now);
    if (verified) {
      // The account may vanish between the two lookups; then the token is as good as revoked.
      if (auto user = storage_.user_by_id(verified.subject))
        return caller_for(std::move(*user), signalling::Authentication::jwt);
      bearer_error = JwtService::Error::unknown_account;
    } else {
      bearer_error = verified.error;
    }
    bearer_rejected = true;
  }
  Caller c;
  if (auto user = sessions_.user_for(cookie_header, now))
    c = caller_for(std::move(*user), signalling::Authentication::session);
  c.bearer_rejected = bearer_rejected;
  c.bearer_error = bearer_error;
  return c;
}

}  // namespace parley::accounts
