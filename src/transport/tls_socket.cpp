#include "transport/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace parley::transport {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// With read-ahead, OpenSSL reads up to this much per recv (several records at once).
constexpr std::size_t kReadAheadBytes = 32 * 1024;
}  // namespace

// The BIO OpenSSL reads and writes: the prefix first, then the non-blocking descriptor.
// MSG_NOSIGNAL: a peer that went away is an error, never a SIGPIPE.
struct TlsBio {
  static TlsSocket* owner(BIO* b) { return static_cast<TlsSocket*>(BIO_get_data(b)); }

  static int read(BIO* b, char* out, int len) {
    BIO_clear_retry_flags(b);
    TlsSocket& s = *owner(b);
    if (s.prefix_used_ < s.prefix_.size()) {
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(len), s.prefix_.size() - s.prefix_used_);
      std::memcpy(out, s.prefix_.data() + s.prefix_used_, n);
      s.prefix_used_ += n;
      if (s.prefix_used_ == s.prefix_.size()) std::string().swap(s.prefix_);
      if (s.prefix_.empty()) s.prefix_used_ = 0;
      return static_cast<int>(n);
    }
    for (;;) {
      const ssize_t n = ::recv(s.socket_.native_handle(), out, static_cast<std::size_t>(len), 0);
      if (n >= 0) return static_cast<int>(n);  // 0: the peer closed TCP
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
      return -1;
    }
  }

  static int write(BIO* b, const char* in, int len) {
    BIO_clear_retry_flags(b);
    for (;;) {
      const ssize_t n = ::send(owner(b)->socket_.native_handle(), in, static_cast<std::size_t>(len), MSG_NOSIGNAL);
      if (n >= 0) return static_cast<int>(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
      return -1;
    }
  }

  static long ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* const m = [] {
      BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "parley socket");
      BIO_meth_set_read(bm, &TlsBio::read);
      BIO_meth_set_write(bm, &TlsBio::write);
      BIO_meth_set_ctrl(bm, &TlsBio::ctrl);
      BIO_meth_set_create(bm, &TlsBio::create);
      return bm;
    }();
    return m;
  }
};

TlsSocket::TlsSocket(SSL_CTX* context, asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), ssl_(SSL_new(context)) {
  if (!ssl_) throw std::runtime_error("SSL_new failed");
  error_code ignored;
  socket_.non_blocking(true, ignored);
  BIO* bio = BIO_new(TlsBio::method());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);
  SSL_set_accept_state(ssl_);
  SSL_set_read_ahead(ssl_, 1);
  SSL_set_default_read_buffer_len(ssl_, kReadAheadBytes);
  // Idle connections give their record buffers back (thousands of them sit idle). Keeping them
  // while a connection is busy and freeing them in the 1 s sweep made no difference measurable
  // here (docs/BENCHMARKS.md, "TLS").
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

void TlsSocket::expires_after(std::chrono::steady_clock::duration d) {
  expired_ = false;
  timer_.expires_after(d);
  timer_.async_wait([this](const error_code& ec) {
    if (ec) return;  // cancelled (re-armed, expires_never, or this stream is gone)
    expired_ = true;
    error_code ignored;
    socket_.cancel(ignored);
  });
}

void TlsSocket::expires_never() {
  expired_ = false;
  timer_.cancel();
}

void TlsSocket::close() {
  timer_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

namespace {
// What a failed SSL_* call means, as Asio's TLS stream reports it.
TlsSocket::Want classify(SSL* ssl, int ret, error_code& ec) {
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
      return TlsSocket::Want::read;
    case SSL_ERROR_WANT_WRITE:
      return TlsSocket::Want::write;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;
      return TlsSocket::Want::nothing;
    case SSL_ERROR_SYSCALL:
      ec = errno != 0 ? error_code(errno, boost::system::system_category()) : error_code(asio::ssl::error::stream_truncated);
      return TlsSocket::Want::nothing;
    default: {
      const unsigned long e = ERR_get_error();
      ec = ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING
               ? error_code(asio::ssl::error::stream_truncated)
               : error_code(static_cast<int>(e), asio::error::get_ssl_category());
      ERR_clear_error();
      return TlsSocket::Want::nothing;
    }
  }
}
}  // namespace

TlsSocket::Want TlsSocket::handshake_step(error_code& ec) {
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  return ret == 1 ? Want::nothing : classify(ssl_, ret, ec);
}

TlsSocket::Want TlsSocket::read_now(char* buf, std::size_t size, std::size_t& n, error_code& ec) {
  n = 0;
  // A failure below takes its error off the queue (classify), so one clear per call will do.
  ERR_clear_error();
  while (n < size) {
    errno = 0;
    std::size_t got = 0;
    const int ret = SSL_read_ex(ssl_, buf + n, size - n, &got);
    if (ret == 1) {
      n += got;
      continue;
    }
    error_code failure;
    const Want want = classify(ssl_, ret, failure);
    // Bytes read before an error (a close frame, then close_notify) are handled first; the error
    // comes again on the next read.
    if (n == 0) ec = failure;
    return want;
  }
  return Want::nothing;
}

bool TlsSocket::has_pending() const { return SSL_has_pending(ssl_) == 1; }

TlsSocket::Want TlsSocket::write_step(error_code& ec) {
  if (write_size_ == 0) return Want::nothing;
  ERR_clear_error();
  errno = 0;
  std::size_t written = 0;
  // Without SSL_MODE_ENABLE_PARTIAL_WRITE this succeeds only once all of it is written; a retry
  // after WANT_WRITE passes the same buffer, as OpenSSL requires.
  const int ret = SSL_write_ex(ssl_, write_buffer_.data(), write_size_, &written);
  if (ret == 1) {
    write_size_ = 0;
    if (write_buffer_.size() > 16 * 1024) std::vector<char>().swap(write_buffer_);  // a burst's buffer goes back
    return Want::nothing;
  }
  const Want want = classify(ssl_, ret, ec);
  if (ec) write_size_ = 0;
  return want;
}

TlsSocket::Want TlsSocket::shutdown_step(error_code& ec) {
  // A peer that keeps sending gets a wait between rounds, so the shutdown's timeout can end it.
  for (int round = 0; round < 16; ++round) {
    ERR_clear_error();
    errno = 0;
    const int ret = SSL_shutdown(ssl_);
    if (ret == 1) return Want::nothing;  // both close_notify are through
    if (ret == 0) {
      close_notify_sent_ = true;
      // Ours is out; read (and drop) what the peer still sends until its close_notify or EOF.
      char sink[4096];
      std::size_t got = 0;
      const int r = SSL_read_ex(ssl_, sink, sizeof sink, &got);
      if (r == 1) continue;
      error_code read_ec;
      const Want want = classify(ssl_, r, read_ec);
      if (want != Want::nothing) return want;
      return Want::nothing;  // eof (close_notify), a TCP close or an error: the end either way
    }
    const Want want = classify(ssl_, ret, ec);
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) ec = {};
    return want;
  }
  return Want::read;
}

void TlsSocket::send_close_notify() {
  if (close_notify_sent_ || !SSL_is_init_finished(ssl_)) return;
  ERR_clear_error();
  if (SSL_shutdown(ssl_) >= 0) close_notify_sent_ = true;
  ERR_clear_error();
}

}  // namespace parley::transport
