#pragma once
// Sign in with Kioubit (DN42), PROTOCOL.md §4.3 callback steps 1–6: signature, payload, freshness,
// required fields, domain. The nonce (step 7) and the account (step 8) are KioubitLogin's job.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace parley::accounts {

struct KioubitPayload {
  std::string asn;
  double time = 0;
  std::vector<std::string> allowed4, allowed6, mnt;
  std::string effective_mnt, domain, authtype, user_token;

  // The account's maintainer: effective_mnt, else the first non-blank trimmed mnt[i].
  std::string chosen_maintainer() const;
};

struct KioubitCheck {
  std::optional<KioubitPayload> payload;  // set when every check passed
  std::string error;                      // otherwise the exact `err` text for a 400
};

class KioubitVerifier {
 public:
  static constexpr double kMaxSkewSeconds = 60;
  static constexpr std::size_t kMaxParamBytes = 64 * 1024;

  // The key must be a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) holding an EC key on secp521r1.
  // Anything else throws std::runtime_error: a wrong key is fatal at startup.
  static KioubitVerifier from_pem(std::string_view pem);
  static KioubitVerifier from_pem_file(const std::filesystem::path& file);

  // Runs the checks in the order of §4.3 step 3 (1–6). `params`/`signature` are the query values
  // after normal decoding (nullopt or empty = missing); `now` is unix seconds; `expected_domain`
  // is the host of --kioubit-login-redir-url (see url_host()).
  KioubitCheck verify(std::optional<std::string_view> params, std::optional<std::string_view> signature, double now,
                      std::string_view expected_domain) const;

  // ECDSA P-521 over SHA-512 of the params text, DER signature in standard base64.
  bool signature_valid(std::string_view params, std::string_view signature_b64) const;

 private:
  explicit KioubitVerifier(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// Lowercase host of an absolute URL, without userinfo, port or brackets; "" if there is none.
std::string url_host(std::string_view url);
// Lowercase host of a `host[:port]` value (the payload's domain), without the port.
std::string host_without_port(std::string_view host);

}  // namespace parley::accounts
