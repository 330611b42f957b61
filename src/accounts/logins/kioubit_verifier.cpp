#include "accounts/logins/kioubit_verifier.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "accounts/base64.hpp"
#include "accounts/text_rules.hpp"

namespace parley::accounts {

namespace json = boost::json;

namespace {

// Reads an optional string field; a wrong type sets `bad`. null counts as absent.
bool read_string(const json::object& o, std::string_view name, std::string& out) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}

bool read_string_array(const json::object& o, std::string_view name, std::vector<std::string>& out) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return true;
  if (!v->is_array()) return false;
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.as_string());
  }
  return true;
}

KioubitCheck fail(std::string error) {
  KioubitCheck c;
  c.error = std::move(error);
  return c;
}

}  // namespace

std::string KioubitPayload::chosen_maintainer() const {
  if (!effective_mnt.empty()) return effective_mnt;
  for (const auto& m : mnt) {
    const auto t = trim_ascii_space(m);
    if (!t.empty()) return std::string(t);
  }
  return {};
}

KioubitVerifier KioubitVerifier::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw std::runtime_error("out of memory");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) throw std::runtime_error("Kioubit key: not a PEM PUBLIC KEY (SubjectPublicKeyInfo)");
  std::shared_ptr<EVP_PKEY> key(raw, &EVP_PKEY_free);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_EC) throw std::runtime_error("Kioubit key: not an EC key");
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
      std::string_view(group, len) != "secp521r1") {
    throw std::runtime_error("Kioubit key: not on curve P-521 (secp521r1)");
  }
  return KioubitVerifier(std::move(key));
}

KioubitVerifier KioubitVerifier::from_pem_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("Kioubit key: cannot read " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_pem(ss.str());
}

bool KioubitVerifier::signature_valid(std::string_view params, std::string_view signature_b64) const {
  const auto der = base64_decode(signature_b64, {.skip_line_breaks = false, .require_padding = false});
  if (!der || der->empty()) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha512(), nullptr, key_.get()) != 1) return false;
  // The digest covers the base64 text exactly as received, not the decoded JSON.
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der->data()), der->size(),
                          reinterpret_cast<const unsigned char*>(params.data()), params.size()) == 1;
}

KioubitCheck KioubitVerifier::verify(std::optional<std::string_view> params, std::optional<std::string_view> signature,
                                     double now, std::string_view expected_domain) const {
  // 1. Presence.
  if (!params || params->empty()) return fail("no params found");
  if (!signature || signature->empty()) return fail("no signature found");
  // 2. Signature; failure stops here.
  if (params->size() > kMaxParamBytes || signature->size() > kMaxParamBytes ||
      !signature_valid(*params, *signature)) {
    return fail("invalid signature");
  }
  // 3. Payload.
  const auto text = base64_decode(*params, {.skip_line_breaks = false, .require_padding = false});
  if (!text) return fail("invalid params");
  boost::system::error_code ec;
  json::value doc = json::parse(*text, ec);
  if (ec || !doc.is_object()) return fail("invalid params");
  const json::object& o = doc.as_object();

  KioubitPayload p;
  // 4. Freshness (needs `time`, so a missing time is reported here).
  const auto* t = o.if_contains("time");
  if (!t || !t->is_number()) return fail("missing field time");
  p.time = t->to_number<double>();
  if (!std::isfinite(p.time) || std::fabs(p.time - now) > kMaxSkewSeconds) return fail("the request has expired");

  // 5. Required fields and types.
  const auto* asn = o.if_contains("asn");
  if (!asn || !asn->is_string() || asn->as_string().empty()) return fail("missing field asn");
  p.asn = std::string(asn->as_string());
  const auto* domain = o.if_contains("domain");
  if (!domain || !domain->is_string() || domain->as_string().empty()) return fail("missing field domain");
  p.domain = std::string(domain->as_string());
  const auto* token = o.if_contains("user_token");
  if (!token || !token->is_string() || token->as_string().empty()) return fail("missing field user_token");
  p.user_token = std::string(token->as_string());
  if (!read_string(o, "effective_mnt", p.effective_mnt)) return fail("missing field effective_mnt");
  if (!read_string_array(o, "mnt", p.mnt)) return fail("missing field mnt");
  if (!read_string_array(o, "allowed4", p.allowed4)) return fail("missing field allowed4");
  if (!read_string_array(o, "allowed6", p.allowed6)) return fail("missing field allowed6");
  if (!read_string(o, "authtype", p.authtype)) return fail("missing field authtype");
  if (p.chosen_maintainer().empty()) return fail("missing field mnt");

  // 6. Domain, enforced.
  const std::string want = host_without_port(expected_domain);
  if (want.empty() || host_without_port(p.domain) != want) return fail("domain mismatch");

  KioubitCheck ok;
  ok.payload = std::move(p);
  return ok;
}

std::string host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const auto close = host.find(']');
    return close == std::string_view::npos ? std::string{} : ascii_lowercase(host.substr(1, close - 1));
  }
  const auto colon = host.find(':');
  return ascii_lowercase(host.substr(0, colon));
}

std::string url_host(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  return host_without_port(authority);
}

}  // namespace parley::accounts
