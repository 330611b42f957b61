// Sign in with Kioubit through the real binary (PROTOCOL.md §4.3): a P-521 key pair made by the
// test stands in for Kioubit's, the test signs the callback parameters as Kioubit does.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>

#include "accounts_support.hpp"

using namespace parley::conformance;

namespace {

struct KioubitKey {
  EVP_PKEY* key = EVP_EC_gen("P-521");
  ~KioubitKey() { EVP_PKEY_free(key); }

  void write_public_pem(const std::filesystem::path& file) const {
    BIO* bio = BIO_new_file(file.c_str(), "w");
    PEM_write_bio_PUBKEY(bio, key);
    BIO_free(bio);
  }
  // ECDSA over SHA-512 of the base64 text, DER, standard base64: what Kioubit sends.
  std::string sign(const std::string& params_b64) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, EVP_sha512(), nullptr, key);
    std::size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(params_b64.data()), params_b64.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(params_b64.data()), params_b64.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    return base64_std(sig);
  }
};

class Kioubit : public ::testing::Test {
protected:
  Kioubit() { key.write_public_pem(dir.path / "kioubit.pem"); }

  std::vector<std::string> args() {
    return account_args(dir, {"--kioubit-login-pubkey", (dir.path / "kioubit.pem").string(), "--kioubit-login-redir-url",
                              "https://chat.example.dn42/api/kioubit/login/auth", "--kioubit-auth-url",
                              "https://kioubit.test/auth/", "--login-success-redir-url", "https://chat.example.dn42/"});
  }

  // Kioubit's callback for `nonce`, as signed parameters.
  std::string callback(const std::string& nonce, const std::string& domain = "chat.example.dn42",
                       bool break_signature = false) {
    json::object payload{{"asn", "4242420000"},          {"time", static_cast<double>(unix_now()) + 0.25},
                         {"allowed4", json::array{"172.20.0.0/27"}}, {"allowed6", json::array{"fd00::/48"}},
                         {"mnt", json::array{"FOO-MNT"}},    {"effective_mnt", "FOO-MNT"},
                         {"domain", domain},                 {"authtype", "ssh"},
                         {"user_token", nonce}};
    const std::string params = base64_std(json::serialize(payload));
    std::string signature = key.sign(params);
    if (break_signature) signature = key.sign(params + "x");
    return "/api/kioubit/login/auth?params=" + url_encode(params) + "&signature=" + url_encode(signature);
  }

  std::string start(Browser& b, std::uint16_t port) {
    auto r = b.request(port, "GET", "/api/kioubit/login/start?current_page=%2Fchat");
    EXPECT_EQ(r.status, 307);
    const auto location = r.header("location");
    EXPECT_EQ(location.rfind("https://kioubit.test/auth/?return=https%3A%2F%2Fchat.example.dn42%2Fapi%2Fkioubit%2Flogin"
                             "%2Fauth&token=", 0),
              0u)
        << location;
    return query_of(split_url(location).target).at("token");
  }

  TempDir dir;
  KioubitKey key;
};

}  // namespace

TEST_F(Kioubit, SignedCallbackSignsInAsTheMaintainer) {
  ServerProcess server(args());
  auto idp = json::parse(http_request(server.port(), "GET", "/servers.json").body).as_array()[0].at("idp").as_array();
  ASSERT_EQ(idp.size(), 1u);
  EXPECT_EQ(std::string(idp[0].at("kind").as_string()), "kioubit");
  EXPECT_EQ(http_request(server.port(), "GET", "/api/github/login/start").status, 404) << "GitHub is not configured";

  Browser b;
  const auto nonce = start(b, server.port());
  auto done = b.request(server.port(), "GET", callback(nonce));
  ASSERT_EQ(done.status, 307) << done.body;
  EXPECT_EQ(done.header("location"), "https://chat.example.dn42/chat");
  EXPECT_EQ(json::parse(b.request(server.port(), "GET", "/api/profile").body),
            json::parse(R"({"username":"FOO-MNT","displayName":"FOO-MNT"})"));
  // Replay: the nonce is gone.
  auto replay = b.request(server.port(), "GET", callback(nonce));
  EXPECT_EQ(replay.status, 400);
  // Kioubit's logout route ends the session.
  EXPECT_EQ(b.request(server.port(), "POST", "/api/kioubit/login/delete").status, 200);
  EXPECT_EQ(json::parse(http_request(server.port(), "GET", "/api/profile/status", {{"Cookie", "session_id=x"}}).body),
            json::parse(R"({"logged_in":false})"));
  EXPECT_TRUE(b.session_id.empty());
}

TEST_F(Kioubit, BadSignatureWrongDomainAndMissingParamsAreRefused) {
  ServerProcess server(args());
  Browser b;
  const auto port = server.port();
  auto bad_sig = b.request(port, "GET", callback(start(b, port), "chat.example.dn42", true));
  EXPECT_EQ(bad_sig.status, 400);
  EXPECT_EQ(json::parse(bad_sig.body), json::parse(R"({"err":"invalid signature"})"));
  auto other_domain = b.request(port, "GET", callback(start(b, port), "evil.dn42"));
  EXPECT_EQ(other_domain.status, 400);
  EXPECT_EQ(json::parse(other_domain.body), json::parse(R"({"err":"domain mismatch"})"));
  auto none = b.request(port, "GET", "/api/kioubit/login/auth");
  EXPECT_EQ(json::parse(none.body), json::parse(R"({"err":"no params found"})"));
  EXPECT_EQ(json::parse(b.request(port, "GET", "/api/profile/status").body), json::parse(R"({"logged_in":false})"));
}
