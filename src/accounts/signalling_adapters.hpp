#pragma once
// Plugs the accounts into the signalling core's interfaces: the handshake identity (§2.2).
// (The reserved-name interface is implemented by AccountReservedNames in account_names.hpp.)
#include "accounts/caller.hpp"
#include "signalling/clock.hpp"
#include "signalling/identity.hpp"

namespace parley::accounts {

class AccountsIdentityResolver final : public signalling::IdentityResolver {
 public:
  AccountsIdentityResolver(const RequestAuthenticator& authenticator, const signalling::Clock& clock)
      : authenticator_(authenticator), clock_(clock) {}

  // Never refuses: an invalid token sets invalid_token and the cookie (or nothing) decides.
  // A storage failure is logged and sets unavailable (never an anonymous identity).
  signalling::HandshakeIdentity resolve(std::string_view authorization_header, std::string_view cookie_header) const override;

 private:
  const RequestAuthenticator& authenticator_;
  const signalling::Clock& clock_;
};

}  // namespace parley::accounts
