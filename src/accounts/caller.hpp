#pragma once
// Who is making a request (PROTOCOL.md §2.2, §3.1): a valid bearer token, else a session cookie
// bound to a user, else nobody.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/http/http_types.hpp"
#include "accounts/jwt_service.hpp"
#include "accounts/session_service.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

enum class AuthMethod { none, jwt, session };

// "none", "jwt", "session": the `authentication` field of /conns.
std::string_view to_string(AuthMethod method);

struct Identity {
  AuthMethod method = AuthMethod::none;
  std::optional<storage::User> user;  // set unless method == none
  // A bearer token was present but invalid. HTTP routes answer invalid_token_reply(); the
  // WebSocket goes on with the cookie or anonymously and sends the `invalid_token` error frame.
  bool bearer_rejected = false;
  JwtService::Error bearer_error = JwtService::Error::none;  // why, for the log
};

// The token of `Authorization: Bearer <token>` (scheme case-insensitive, split at the first
// space); nullopt if the header is absent, another scheme, or the token is empty.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// 401 {"err":"invalid token"}.
HttpReply invalid_token_reply();

class RequestAuthenticator {
 public:
  RequestAuthenticator(storage::Storage& storage, const JwtService& jwt, SessionService& sessions);

  // `authorization` and `cookie_header` are the raw header values ("" when absent).
  Identity resolve(std::string_view authorization, std::string_view cookie_header, std::int64_t now) const;

 private:
  storage::Storage& storage_;
  const JwtService& jwt_;
  SessionService& sessions_;
};

}  // namespace parley::accounts
