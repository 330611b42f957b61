#pragma once
// The server's TLS certificate and key (--tls-cert, --tls-key): loaded and checked at start, and
// again on SIGHUP. A new connection takes the context current when it arrives; open connections
// keep theirs, so a reload never drops anyone. A reload that fails keeps the old certificate.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

namespace parley::transport {

struct TlsFiles {
  std::string certificate_chain;  // PEM: the server certificate first, then intermediates
  std::string private_key;        // PEM
};

class TlsContext {
 public:
  // Throws std::runtime_error with a message naming the file and the problem: missing,
  // unreadable, not PEM, a key that is not the certificate's, or a certificate that has expired
  // or is not valid yet.
  explicit TlsContext(TlsFiles files);

  std::shared_ptr<boost::asio::ssl::context> current() const;
  // "" when the new files are in use; otherwise why not (the old ones stay).
  std::string reload();
  // "CN=…, expires 2027-01-01" of the certificate in use, for logs.
  std::string describe() const;

 private:
  TlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::string description_;
};

}  // namespace parley::transport
