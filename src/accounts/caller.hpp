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
#include "signalling/connection.hpp"

namespace parley::accounts {

// Who a request comes from, as the accounts layer sees it: the server's one Identity type, the
// account row it was read from (profile routes answer from it), and why a bearer token failed.
struct Caller {
  signalling::Identity identity;
  std::optional<storage::User> user;  // set exactly when identity.authentication != none
  // A bearer token was present but invalid. HTTP routes answer invalid_token_reply(); the
  // WebSocket goes on with the cookie or anonymously and sends the `invalid_token` error frame.
  bool bearer_rejected = false;
  JwtService::Error bearer_error = JwtService::Error::none;  // why, for the log
};

// 401 {"err":"invalid token"}.
HttpReply invalid_token_reply();

class RequestAuthenticator {
 public:
  RequestAuthenticator(storage::Storage& storage, const JwtService& jwt, SessionService& sessions);

  // `authorization` and `cookie_header` are the raw header values ("" when absent).
  Caller resolve(std::string_view authorization, std::string_view cookie_header, std::int64_t now) const;

 private:
  storage::Storage& storage_;
  const JwtService& jwt_;
  SessionService& sessions_;
};

}  // namespace parley::accounts
