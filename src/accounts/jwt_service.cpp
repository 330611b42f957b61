#include "accounts/jwt_service.hpp"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "accounts/base64.hpp"
#include "accounts/random.hpp"

namespace parley::accounts {

namespace json = boost::json;

namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct CStrDeleter {
  void operator()(char* p) const { free(p); }
};

std::optional<json::object> decode_json_segment(std::string_view segment) {
  const auto bytes = base64url_decode(segment);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A NumericDate claim: a JSON number (integer or not). Fractions are truncated.
std::optional<std::int64_t> numeric_date(const json::object& claims, std::string_view name, bool& mistyped) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double() && v->as_double() > -9.2e18 && v->as_double() < 9.2e18)
    return static_cast<std::int64_t>(v->as_double());
  mistyped = true;
  return std::nullopt;
}

// HMAC-SHA256 over "header.payload", compared in constant time with the decoded signature.
// libjwt verifies again below, but compares with strcmp; checking first keeps timing flat.
bool signature_matches(const JwtKey& key, std::string_view signing_input, std::string_view signature_b64) {
  const auto sig = base64url_decode(signature_b64);
  if (!sig || sig->size() != 32) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len) ||
      mac_len != 32) {
    return false;
  }
  return CRYPTO_memcmp(mac, sig->data(), 32) == 0;
}

}  // namespace

JwtService::JwtService(JwtKey key, AccountExists account_exists, std::chrono::seconds lifetime)
    : key_(std::make_shared<const JwtKey>(std::move(key))),
      account_exists_(std::move(account_exists)),
      lifetime_(lifetime) {
  if (!account_exists_) throw std::invalid_argument("JwtService needs an account lookup");
  if (lifetime_.count() <= 0) throw std::invalid_argument("JWT lifetime must be positive");
}

std::shared_ptr<const JwtKey> JwtService::key() const {
  std::lock_guard lock(mutex_);
  return key_;
}

void JwtService::replace_key(JwtKey key) {
  auto fresh = std::make_shared<const JwtKey>(std::move(key));
  std::lock_guard lock(mutex_);
  key_ = std::move(fresh);
}

std::string JwtService::issue(std::string_view user_id, std::int64_t now) const {
  const auto k = key();
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr jwt(raw);
  const std::string sub(user_id);
  // A random jti makes every issued token distinct, even two for one bot in the same second.
  const std::string jti = random_token(16);
  if (jwt_add_grant(jwt.get(), "sub", sub.c_str()) != 0 || jwt_add_grant(jwt.get(), "jti", jti.c_str()) != 0 || jwt_add_grant_int(jwt.get(), "iat", now) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", now + lifetime_.count()) != 0 ||
      jwt_add_header(jwt.get(), "typ", "JWT") != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(k->bytes().data()),
                  static_cast<int>(k->bytes().size())) != 0) {
    throw std::runtime_error("cannot build JWT");
  }
  std::unique_ptr<char, CStrDeleter> out(jwt_encode_str(jwt.get()));
  if (!out) throw std::runtime_error("jwt_encode_str failed");
  return std::string(out.get());
}

JwtService::Result JwtService::verify(std::string_view token, std::int64_t now) const {
  Result r;
  auto fail = [&r](Error e) {
    r.error = e;
    r.subject.clear();
    return r;
  };
  if (token.empty() || token.size() > kMaxTokenBytes) return fail(Error::malformed);
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return fail(Error::malformed);
  const auto header = decode_json_segment(token.substr(0, dot1));
  const auto claims = decode_json_segment(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !claims) return fail(Error::malformed);

  // Pin the algorithm before any signature work: libjwt 1.10 would follow the header.
  const auto* alg = header->if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256" || header->contains("crit"))
    return fail(Error::bad_algorithm);

  const auto k = key();
  if (!signature_matches(*k, token.substr(0, dot2), token.substr(dot2 + 1))) return fail(Error::bad_signature);
  {
    jwt_t* raw = nullptr;
    const std::string copy(token);
    const int rc = jwt_decode(&raw, copy.c_str(), reinterpret_cast<const unsigned char*>(k->bytes().data()),
                              static_cast<int>(k->bytes().size()));
    JwtPtr jwt(raw);
    // The HMAC already matched: a refusal here means content libjwt cannot parse (for example an
    // integer beyond int64), so report it as malformed rather than as a bad signature.
    if (rc != 0 || !jwt) return fail(Error::malformed);
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return fail(Error::bad_algorithm);
  }

  bool mistyped = false;
  const auto exp = numeric_date(*claims, "exp", mistyped);
  if (!exp || mistyped || now - kLeewaySeconds >= *exp) return fail(Error::expired);  // no overflow near INT64_MAX
  const auto nbf = numeric_date(*claims, "nbf", mistyped);
  if (mistyped || (nbf && *nbf > now)) return fail(Error::not_yet_valid);
  const auto iat = numeric_date(*claims, "iat", mistyped);
  if (mistyped || (iat && *iat > now + kLeewaySeconds)) return fail(Error::issued_in_future);

  const auto* sub = claims->if_contains("sub");
  if (!sub || !sub->is_string() || sub->as_string().empty()) return fail(Error::bad_subject);
  const std::string subject(sub->as_string());
  if (!account_exists_(subject)) return fail(Error::unknown_account);
  r.subject = subject;
  r.expires_at = *exp;
  return r;
}

std::string_view to_string(JwtService::Error error) {
  switch (error) {
    case JwtService::Error::none: return "ok";
    case JwtService::Error::malformed: return "malformed token";
    case JwtService::Error::bad_algorithm: return "algorithm not allowed";
    case JwtService::Error::bad_signature: return "bad signature";
    case JwtService::Error::expired: return "expired";
    case JwtService::Error::not_yet_valid: return "not yet valid";
    case JwtService::Error::issued_in_future: return "issued in the future";
    case JwtService::Error::bad_subject: return "bad subject";
    case JwtService::Error::unknown_account: return "unknown account";
  }
  return "unknown";
}

}  // namespace parley::accounts
