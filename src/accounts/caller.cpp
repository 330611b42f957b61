#include "accounts/caller.hpp"

#include "accounts/text_rules.hpp"

namespace parley::accounts {

std::string_view to_string(AuthMethod method) {
  switch (method) {
    case AuthMethod::jwt: return "jwt";
    case AuthMethod::session: return "session";
    case AuthMethod::none: break;
  }
  return "none";
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!ascii_iequals(authorization.substr(0, space), "bearer")) return std::nullopt;
  const std::string_view token = trim_ascii_space(authorization.substr(space + 1));
  if (token.empty()) return std::nullopt;
  return token;
}

HttpReply invalid_token_reply() { return json_error(401, "invalid token"); }

RequestAuthenticator::RequestAuthenticator(storage::Storage& storage, const JwtService& jwt, SessionService& sessions)
    : storage_(storage), jwt_(jwt), sessions_(sessions) {}

Identity RequestAuthenticator::resolve(std::string_view authorization, std::string_view cookie_header,
                                   std::int64_t now) const {
  Identity id;
  if (const auto token = bearer_token(authorization)) {
    const auto verified = jwt_.verify(*token, now);
    if (verified) {
      // The account may vanish between the two lookups; then the token is as good as revoked.
      if (auto user = storage_.user_by_id(verified.subject)) {
        id.method = AuthMethod::jwt;
        id.user = std::move(user);
        return id;
      }
      id.bearer_error = JwtService::Error::unknown_account;
    } else {
      id.bearer_error = verified.error;
    }
    id.bearer_rejected = true;
  }
  if (auto user = sessions_.user_for(cookie_header, now)) {
    id.method = AuthMethod::session;
    id.user = std::move(user);
  }
  return id;
}

}  // namespace parley::accounts
