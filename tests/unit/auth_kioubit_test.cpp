// KioubitVerifier against a P-521 key pair generated here, signing payloads the way Kioubit does.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <memory>

#include "auth_test_support.hpp"
#include "accounts/base64.hpp"
#include "accounts/logins/kioubit_verifier.hpp"

using namespace parley::accounts;
using parley::test::PkeyPtr;
using parley::test::public_pem;
namespace json = boost::json;

namespace {

constexpr double kNow = 1735689600.0;
constexpr std::string_view kDomain = "chat.example.dn42";

PkeyPtr generate(const char* type, const char* param) {
  EVP_PKEY* k = param ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, param)
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(2048));
  return PkeyPtr(k, &EVP_PKEY_free);
}

// Standard base64 of a DER ECDSA signature over SHA-512 of `text`, as Kioubit sends it.
std::string sign(EVP_PKEY* key, std::string_view text) { return parley::test::sign_sha512(key, text); }

json::object payload(double time = kNow) {
  return json::object{{"asn", "4242420000"},
                      {"time", time},
                      {"allowed4", json::array{"172.20.0.0/27"}},
                      {"allowed6", json::array{"fd00::/48"}},
                      {"mnt", json::array{"FOO-MNT"}},
                      {"effective_mnt", "FOO-MNT"},
                      {"domain", kDomain},
                      {"authtype", "ssh"},
                      {"user_token", "nonce-123"}};
}

class KioubitTest : public ::testing::Test {
 protected:
  PkeyPtr key = generate("EC", "P-521");
  KioubitVerifier verifier = KioubitVerifier::from_pem(public_pem(key.get()));

  KioubitCheck check(const json::object& p, double now = kNow, std::string_view domain = kDomain) {
    const std::string params = base64_encode(json::serialize(p));
    const std::string sig = sign(key.get(), params);
    return verifier.verify(params, sig, now, domain);
  }
};

}  // namespace

TEST_F(KioubitTest, ValidPayloadAccepted) {
  const auto r = check(payload());
  ASSERT_TRUE(r.payload) << r.error;
  EXPECT_EQ(r.payload->asn, "4242420000");
  EXPECT_EQ(r.payload->user_token, "nonce-123");
  EXPECT_EQ(r.payload->chosen_maintainer(), "FOO-MNT");
  EXPECT_EQ(r.payload->allowed6, std::vector<std::string>{"fd00::/48"});
  EXPECT_DOUBLE_EQ(r.payload->time, kNow);
}

TEST_F(KioubitTest, FreshnessWindowIsSixtySecondsBothWays) {
  EXPECT_TRUE(check(payload(kNow - 60)).payload);
  EXPECT_TRUE(check(payload(kNow + 59.75)).payload);
  EXPECT_EQ(check(payload(kNow - 60.5)).error, "the request has expired");
  EXPECT_EQ(check(payload(kNow + 61)).error, "the request has expired");
  EXPECT_EQ(check(payload(0)).error, "the request has expired");
}

TEST_F(KioubitTest, MissingParamsOrSignature) {
  EXPECT_EQ(verifier.verify(std::nullopt, "c2ln", kNow, kDomain).error, "no params found");
  EXPECT_EQ(verifier.verify("", "c2ln", kNow, kDomain).error, "no params found");
  EXPECT_EQ(verifier.verify("cGFyYW1z", std::nullopt, kNow, kDomain).error, "no signature found");
  EXPECT_EQ(verifier.verify(std::nullopt, std::nullopt, kNow, kDomain).error, "no params found");
}

TEST_F(KioubitTest, BadSignaturesStopProcessing) {
  const std::string params = base64_encode(json::serialize(payload()));
  const std::string sig = sign(key.get(), params);
  // Signature of other bytes; the same payload re-encoded; a wrong key; garbage.
  EXPECT_EQ(verifier.verify(params, sign(key.get(), params + "x"), kNow, kDomain).error, "invalid signature");
  const std::string decoded_json = json::serialize(payload());
  EXPECT_EQ(verifier.verify(params, sign(key.get(), decoded_json), kNow, kDomain).error, "invalid signature");
  auto other = generate("EC", "P-521");
  EXPECT_EQ(verifier.verify(params, sign(other.get(), params), kNow, kDomain).error, "invalid signature");
  EXPECT_EQ(verifier.verify(params, "!!!not base64!!!", kNow, kDomain).error, "invalid signature");
  EXPECT_EQ(verifier.verify(params, base64_encode("\x30\x02\x01\x01"), kNow, kDomain).error, "invalid signature");
  // A tampered payload with the original signature.
  auto p = payload();
  p["asn"] = "4242421111";
  EXPECT_EQ(verifier.verify(base64_encode(json::serialize(p)), sig, kNow, kDomain).error, "invalid signature");
  // Even an expired, broken payload reports the signature first.
  EXPECT_EQ(verifier.verify("e30=", sig, 0, kDomain).error, "invalid signature");
  EXPECT_TRUE(verifier.verify(params, sig, kNow, kDomain).payload);
}

TEST_F(KioubitTest, SignedGarbagePayload) {
  for (std::string params : {std::string("%%%"), base64_encode("not json"), base64_encode("[1,2,3]")}) {
    EXPECT_EQ(verifier.verify(params, sign(key.get(), params), kNow, kDomain).error, "invalid params") << params;
  }
}

TEST_F(KioubitTest, MissingOrMistypedFields) {
  struct Case {
    std::string field;
    json::value value;  // null here means "remove the field"
    std::string error;
  };
  const std::vector<Case> cases = {
      {"time", nullptr, "missing field time"},
      {"time", "1735689600", "missing field time"},
      {"asn", nullptr, "missing field asn"},
      {"asn", 4242420000, "missing field asn"},
      {"domain", nullptr, "missing field domain"},
      {"domain", json::array{}, "missing field domain"},
      {"user_token", nullptr, "missing field user_token"},
      {"user_token", "", "missing field user_token"},
      {"effective_mnt", 7, "missing field effective_mnt"},
      {"mnt", "FOO-MNT", "missing field mnt"},
      {"mnt", json::array{1}, "missing field mnt"},
      {"allowed4", "172.20.0.0/27", "missing field allowed4"},
  };
  for (const auto& c : cases) {
    auto p = payload();
    if (c.value.is_null())
      p.erase(c.field);
    else
      p[c.field] = c.value;
    EXPECT_EQ(check(p).error, c.error) << c.field;
  }
}

TEST_F(KioubitTest, MaintainerFallsBackToFirstNonBlankMnt) {
  auto p = payload();
  p["effective_mnt"] = "";
  p["mnt"] = json::array{"  ", " BAR-MNT ", "BAZ-MNT"};
  const auto r = check(p);
  ASSERT_TRUE(r.payload) << r.error;
  EXPECT_EQ(r.payload->chosen_maintainer(), "BAR-MNT");
  p.erase("effective_mnt");
  p["mnt"] = json::array{" ", ""};
  EXPECT_EQ(check(p).error, "missing field mnt");
}

TEST_F(KioubitTest, DomainEnforcedCaseInsensitivelyWithoutPort) {
  auto p = payload();
  p["domain"] = "Chat.Example.DN42:8443";
  EXPECT_TRUE(check(p).payload);
  EXPECT_TRUE(check(payload(), kNow, "chat.example.dn42:443").payload);
  p["domain"] = "evil.dn42";
  EXPECT_EQ(check(p).error, "domain mismatch");
  p["domain"] = "chat.example.dn42.evil.dn42";
  EXPECT_EQ(check(p).error, "domain mismatch");
  EXPECT_EQ(check(payload(), kNow, "").error, "domain mismatch");
}

TEST(KioubitKey, LoadFailsForWrongKeys) {
  auto p256 = generate("EC", "P-256");
  EXPECT_THROW(KioubitVerifier::from_pem(public_pem(p256.get())), std::runtime_error);
  auto rsa = generate("RSA", nullptr);
  EXPECT_THROW(KioubitVerifier::from_pem(public_pem(rsa.get())), std::runtime_error);
  EXPECT_THROW(KioubitVerifier::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
               std::runtime_error);
  EXPECT_THROW(KioubitVerifier::from_pem(""), std::runtime_error);
  EXPECT_THROW(KioubitVerifier::from_pem_file("/nonexistent/kioubit.pem"), std::runtime_error);
  // A private key PEM is not a PUBLIC KEY.
  auto p521 = generate("EC", "P-521");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), p521.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  EXPECT_THROW(KioubitVerifier::from_pem(std::string(data, static_cast<std::size_t>(n))), std::runtime_error);
  EXPECT_NO_THROW(KioubitVerifier::from_pem(public_pem(p521.get())));
}

TEST(KioubitUrlHost, ExtractsTheHost) {
  EXPECT_EQ(url_host("https://Chat.Example.dn42/api/kioubit/login/auth"), "chat.example.dn42");
  EXPECT_EQ(url_host("http://localhost:3001/api/kioubit/login/auth"), "localhost");
  EXPECT_EQ(url_host("https://user@host.dn42:8443?x"), "host.dn42");
  EXPECT_EQ(url_host("http://[fd00::1]:3001/"), "fd00::1");
  EXPECT_EQ(url_host("no-scheme"), "");
}
