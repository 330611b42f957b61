#pragma once
// HS256 bearer tokens (PROTOCOL.md §3.10): issued by the management API, checked at the WebSocket
// handshake and on HTTP requests. Thread-safe; the key can be replaced at run time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/jwt_key.hpp"

namespace parley::accounts {

class JwtService {
 public:
  static constexpr std::chrono::seconds kDefaultLifetime{90LL * 24 * 3600};
  static constexpr std::int64_t kLeewaySeconds = 60;
  static constexpr std::size_t kMaxTokenBytes = 4096;

  // Decides whether `sub` still names an account (deleted bots lose their tokens this way).
  using AccountExists = std::function<bool(std::string_view user_id)>;

  JwtService(JwtKey key, AccountExists account_exists, std::chrono::seconds lifetime = kDefaultLifetime);

  // Header {"alg":"HS256","typ":"JWT"}, claims sub, iat = now, exp = now + lifetime, and a
  // random jti (so each token is distinct).
  std::string issue(std::string_view user_id, std::int64_t now) const;

  enum class Error {
    none,
    malformed,         // not three base64url segments with a JSON header and payload, or too long
    bad_algorithm,     // alg is not exactly HS256 (none, HS384, RS256, ...), or `crit` is present
    bad_signature,
    expired,           // exp missing, not a number, or now >= exp + 60
    not_yet_valid,     // nbf > now
    issued_in_future,  // iat > now + 60
    bad_subject,       // sub missing or not a non-empty string
    unknown_account,   // sub names no account
  };
  struct Result {
    Error error = Error::none;
    std::string subject;  // the account id when error == none
    std::int64_t expires_at = 0;
    explicit operator bool() const { return error == Error::none; }
  };

  Result verify(std::string_view token, std::int64_t now) const;

  // Switches to a new key: every token signed with the old one is revoked at once.
  void replace_key(JwtKey key);

  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  std::shared_ptr<const JwtKey> key() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const JwtKey> key_;
  AccountExists account_exists_;
  std::chrono::seconds lifetime_;
};

// Short English for logs ("expired", "bad signature", ...). Never includes the token.
std::string_view to_string(JwtService::Error error);

}  // namespace parley::accounts
