#include "tls_buffered.hpp"

#include <openssl/bio.h>

#include <cstddef>

namespace parley::transport {

bool tls_record_buffered(SSL* ssl) {
  if (SSL_pending(ssl) > 0) return true;
  // A record is a 5-byte header (type, version, 16-bit length) and the length's bytes. BIO_nread0
  // only looks: it shows the contiguous readable bytes without taking them (a wrapped ring buffer
  // shows less, which only means "not sure", i.e. false).
  char* p = nullptr;
  const int avail = BIO_nread0(SSL_get_rbio(ssl), &p);
  if (avail < 5 || p == nullptr) return false;
  const auto len = static_cast<std::size_t>((static_cast<unsigned char>(p[3]) << 8) | static_cast<unsigned char>(p[4]));
  return static_cast<std::size_t>(avail) >= 5 + len;
}

}  // namespace parley::transport
