#include "accounts/signalling_adapters.hpp"

#include <spdlog/spdlog.h>

namespace parley::accounts {

signalling::Identity to_core_identity(const Identity& identity) {
  signalling::Identity out;
  if (!identity.user || identity.method == AuthMethod::none) return out;
  out.authentication = identity.method == AuthMethod::jwt ? signalling::Authentication::jwt : signalling::Authentication::session;
  out.user_id = identity.user->id;
  out.username = identity.user->username;
  out.is_bot = identity.user->is_bot;
  return out;
}

signalling::HandshakeIdentity AccountsIdentityResolver::resolve(std::string_view authorization_header,
                                                          std::string_view cookie_header) const {
  signalling::HandshakeIdentity out;
  try {
    const Identity id = authenticator_.resolve(authorization_header, cookie_header, clock_.unix_s());
    if (id.bearer_rejected) spdlog::info("websocket handshake: bearer token ignored ({})", to_string(id.bearer_error));
    out.identity = to_core_identity(id);
    out.invalid_token = id.bearer_rejected;
  } catch (const storage::StorageError& e) {
    spdlog::error("websocket handshake: identity lookup failed: {}", e.what());
  }
  return out;
}

}  // namespace parley::accounts
