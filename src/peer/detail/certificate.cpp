// Certificates over libwebrtc's RTCCertificate (generation, PEM, fingerprint), plus OpenSSL for
// the one check libwebrtc leaves out: that the private key belongs to the certificate. A file
// whose key does not match would load, and then every DTLS handshake would fail.
#include "peer/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "peer/detail/certificate.hpp"
#include "rtc_base/rtc_certificate_generator.h"
#include "rtc_base/ssl_fingerprint.h"
#include "rtc_base/ssl_identity.h"

namespace parley::peer {
namespace {

std::unique_ptr<BIO, decltype(&BIO_free)> memory_bio(const std::string& text) {
  return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free};
}

// Empty when the key is the certificate's, else why not.
std::string key_mismatch(const CertificatePem& pem) {
  auto cert_bio = memory_bio(pem.certificate);
  auto key_bio = memory_bio(pem.private_key);
  if (!cert_bio || !key_bio) return "out of memory";
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  if (!cert) return "the certificate does not parse";
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return "the private key does not parse";
  if (X509_check_private_key(cert.get(), key.get()) != 1) return "the private key is not the certificate's";
  return {};
}

}  // namespace

CertificatePem generate_certificate(std::chrono::seconds lifetime) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime).count();
  auto cert = rtc::RTCCertificateGenerator::GenerateCertificate(rtc::KeyParams::ECDSA(rtc::EC_NIST_P256),
                                                                static_cast<uint64_t>(ms > 0 ? ms : 0));
  if (!cert) throw std::runtime_error("libwebrtc could not generate a DTLS certificate");
  auto pem = cert->ToPEM();
  return {pem.private_key(), pem.certificate()};
}

std::optional<CertificateInfo> inspect_certificate(const CertificatePem& pem, std::string* error) {
  auto cert = detail::load_certificate(pem, error);
  if (!cert) return std::nullopt;
  auto fingerprint = rtc::SSLFingerprint::CreateFromCertificate(*cert);
  if (!fingerprint) {
    if (error) *error = "no fingerprint can be made of the certificate";
    return std::nullopt;
  }
  // The SDP writes the algorithm as it is here (lower case) and the hex in upper case.
  return CertificateInfo{fingerprint->algorithm + " " + fingerprint->GetRfc4572Fingerprint(),
                         std::chrono::system_clock::time_point(std::chrono::milliseconds(cert->Expires()))};
}

namespace detail {

rtc::scoped_refptr<rtc::RTCCertificate> load_certificate(const CertificatePem& pem, std::string* error) {
  if (auto why = key_mismatch(pem); !why.empty()) {
    if (error) *error = why;
    return nullptr;
  }
  auto cert = rtc::RTCCertificate::FromPEM(rtc::RTCCertificatePEM(pem.private_key, pem.certificate));
  if (!cert && error) *error = "libwebrtc does not accept the key and certificate";
  return cert;
}

}  // namespace detail
}  // namespace parley::peer
