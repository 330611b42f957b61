#pragma once
// Decides who a WebSocket is at the handshake (§2.2). The accounts layer implements it with JWTs
// and sessions; without accounts every connection is anonymous and any bearer token is invalid.
#include <string_view>

#include "signalling/connection.hpp"

namespace parley::signalling {

struct HandshakeIdentity {
  Identity identity;
  bool invalid_token = false;  // a bearer token was present but not valid: ignored, reported once
  // Who it is could not be decided (the accounts store failed). Fail closed: the handshake and
  // /conns answer 503 instead of treating a bot or a user as anonymous.
  bool unavailable = false;
};

class IdentityResolver {
public:
  virtual ~IdentityResolver() = default;
  virtual HandshakeIdentity resolve(std::string_view authorization_header, std::string_view cookie_header) const = 0;
};

// The token of `Authorization: Bearer <token>` (scheme case-insensitive, split at the first
// space, token trimmed); empty if the header is absent, another scheme, or the token is empty.
// The one parser of the header: the handshake and the account routes both use it.
std::string_view bearer_token(std::string_view authorization_header);

class AnonymousIdentityResolver final : public IdentityResolver {
public:
  HandshakeIdentity resolve(std::string_view authorization_header, std::string_view) const override {
    return {Identity{}, !bearer_token(authorization_header).empty()};
  }
};

}  // namespace parley::signalling
