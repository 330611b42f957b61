// libFuzzer target: bearer tokens. The input is a header and a payload (JSON text, split at the
// first NUL) that are signed with the server's key, so the fuzzer reaches the claim checks behind
// the signature; the raw input is also tried as a token. Whatever verifies must carry the one
// pinned algorithm, an expiry in the future and a non-empty subject.
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "accounts/base64.hpp"
#include "accounts/jwt_service.hpp"

namespace {

constexpr std::int64_t kNow = 1'735'689'600;
const std::string kKey(32, 'k');

std::string sign(std::string_view header, std::string_view payload) {
  using parley::accounts::base64url_encode;
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

void check_accepted(std::string_view header, std::string_view payload) {
  boost::system::error_code ec;
  const auto h = boost::json::parse(header, ec);
  if (ec || !h.is_object()) std::abort();
  const auto* alg = h.as_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256") std::abort();
  const auto p = boost::json::parse(payload, ec);
  if (ec || !p.is_object()) std::abort();
  const auto* exp = p.as_object().if_contains("exp");
  if (!exp || !exp->is_number()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const parley::accounts::JwtService jwt(parley::accounts::JwtKey(kKey), [](std::string_view id) { return id == "u1"; });
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto raw = jwt.verify(input, kNow); raw && raw.subject.empty()) std::abort();
  const auto nul = input.find('\0');
  if (nul == std::string_view::npos) return 0;
  const auto header = input.substr(0, nul), payload = input.substr(nul + 1);
  const auto signed_ = jwt.verify(sign(header, payload), kNow);
  if (signed_) {
    if (signed_.subject != "u1" || signed_.expires_at + parley::accounts::JwtService::kLeewaySeconds <= kNow) std::abort();
    check_accepted(header, payload);
  }
  return 0;
}
