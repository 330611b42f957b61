#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <memory>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace parley::transport {
namespace ssl = boost::asio::ssl;

namespace {

std::string read_file(const std::string& path, const char* what) {
  if (path.empty()) throw std::runtime_error(std::string(what) + ": no file given");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string(what) + " " + path + ": cannot read it (" + std::strerror(errno) + ")");
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().empty()) throw std::runtime_error(std::string(what) + " " + path + ": the file is empty");
  return s.str();
}

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not valid PEM";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string time_text(const ASN1_TIME* t) {
  struct tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// The leaf certificate must be in its validity period now: an expired one would make every
// browser refuse the server, which is better said once at start than by each visitor.
std::string check_validity(X509* leaf, const std::string& path) {
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0)
    return "certificate " + path + " expired on " + time_text(X509_get0_notAfter(leaf));
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0)
    return "certificate " + path + " is not valid before " + time_text(X509_get0_notBefore(leaf));
  return "";
}

struct Loaded {
  std::shared_ptr<ssl::context> context;
  std::string description;
};

Loaded load(const TlsFiles& files) {
  const std::string chain = read_file(files.certificate_chain, "--tls-cert");
  const std::string key = read_file(files.private_key, "--tls-key");
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // TLS 1.2 or newer; no compression or renegotiation; the server's cipher order.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(chain), ec);
  if (ec) throw std::runtime_error("--tls-cert " + files.certificate_chain + ": not a PEM certificate chain (" + openssl_error() + ")");
  // Parsed apart from its use, so that a key of another certificate is told from one that is not a key.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(key.data(), static_cast<int>(key.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                           EVP_PKEY_free);
  if (!pkey) throw std::runtime_error("--tls-key " + files.private_key + ": not a PEM private key (" + openssl_error() + ")");
  if (SSL_CTX_use_PrivateKey(native, pkey.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw std::runtime_error("--tls-key " + files.private_key + " is not the key of the certificate in " + files.certificate_chain);
  }
  X509* leaf = SSL_CTX_get0_certificate(native);
  if (!leaf) throw std::runtime_error("--tls-cert " + files.certificate_chain + ": no certificate in it");
  if (auto bad = check_validity(leaf, files.certificate_chain); !bad.empty()) throw std::runtime_error(bad);
  char subject[256] = "";
  X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof subject);
  ERR_clear_error();
  return {std::move(ctx), std::string(subject) + ", expires " + time_text(X509_get0_notAfter(leaf))};
}

}  // namespace

TlsContext::TlsContext(TlsFiles files) : files_(std::move(files)) {
  auto loaded = load(files_);
  context_ = std::move(loaded.context);
  description_ = std::move(loaded.description);
}

std::shared_ptr<ssl::context> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string TlsContext::reload() {
  try {
    auto loaded = load(files_);
    std::lock_guard lock(mutex_);
    context_ = std::move(loaded.context);
    description_ = std::move(loaded.description);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string TlsContext::describe() const {
  std::lock_guard lock(mutex_);
  return description_;
}

}  // namespace parley::transport
