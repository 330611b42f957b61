#include "accounts/signalling_adapters.hpp"

#include <spdlog/spdlog.h>

namespace parley::accounts {

signalling::HandshakeIdentity AccountsIdentityResolver::resolve(std::string_view authorization_header,
                                                          std::string_view cookie_header) const {
  signalling::HandshakeIdentity out;
  try {
    Caller caller = authenticator_.resolve(authorization_header, cookie_header, clock_.unix_s());
    if (caller.bearer_rejected) spdlog::info("websocket handshake: bearer token ignored ({})", to_string(caller.bearer_error));
    out.identity = std::move(caller.identity);
    out.invalid_token = caller.bearer_rejected;
  } catch (const storage::StorageError& e) {
    spdlog::error("identity lookup failed (answering 503): {}", e.what());
    out.unavailable = true;
  }
  return out;
}

}  // namespace parley::accounts
