#pragma once
// Shared helpers for the storage/auth unit tests: temp directories, P-521 keys, a scripted
// OutboundHttp.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "accounts/base64.hpp"
#include "accounts/http/http_types.hpp"

namespace parley::test {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("parley-auth-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

inline PkeyPtr generate_p521() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"), &EVP_PKEY_free); }

inline std::string public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Standard base64 of a DER ECDSA signature over SHA-512 of `text` (what Kioubit sends).
inline std::string sign_sha512(EVP_PKEY* key, std::string_view text) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha512(), nullptr, key);
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(text.data()), text.size());
  sig.resize(len);
  return accounts::base64_encode(sig);
}

// Records requests and answers them from a script, in order.
class ScriptedHttp : public accounts::OutboundHttp {
 public:
  accounts::OutboundResponse perform(const accounts::OutboundRequest& request) override {
    requests.push_back(request);
    if (responses.empty()) return accounts::OutboundResponse{false, "no scripted response", 0, "", ""};
    auto r = responses.front();
    responses.pop_front();
    return r;
  }
  void reply(long status, std::string body, std::string content_type = "application/json") {
    responses.push_back(accounts::OutboundResponse{true, "", status, std::move(content_type), std::move(body)});
  }
  void fail(std::string error) { responses.push_back(accounts::OutboundResponse{false, std::move(error), 0, "", ""}); }

  std::vector<accounts::OutboundRequest> requests;
  std::deque<accounts::OutboundResponse> responses;
};

}  // namespace parley::test
