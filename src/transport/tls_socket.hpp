#pragma once
// TLS over a TCP socket, with OpenSSL reading and writing the socket itself (a BIO of ours on the
// descriptor, read-ahead on). Asio's ssl::stream goes through a BIO pair instead: every byte is
// copied once more each way, a read returns one record, and each read costs an extra `recvmsg`
// (docs/BENCHMARKS.md, "TLS"). This stream offers both faces a connection needs:
// - Beast's AsyncStream (async_read_some / async_write_some), plus handshake, shutdown and
//   tcp_stream-like timeouts, for the HTTP phase;
// - non-blocking steps (read_now, write_step) for the WebSocket hot path, which waits for the
//   socket itself and handles everything readable in one go, as the plain path does.
// One thread only (the server's io_context).
#include <boost/asio/append.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace parley::transport {

class TlsSocket {
 public:
  using executor_type = boost::asio::any_io_executor;
  enum class Want { nothing, read, write };  // what the last step waits for; nothing = done

  TlsSocket(SSL_CTX* context, boost::asio::ip::tcp::socket socket);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  SSL* native_handle() { return ssl_; }

  // Like beast::tcp_stream: an operation pending when the time runs out (or started after it ran
  // out) completes with beast::error::timeout.
  void expires_after(std::chrono::steady_clock::duration d);
  void expires_never();
  void close();

  // --- non-blocking steps ---
  // Bytes already read from the socket before TLS began (the ClientHello's start): read first.
  void set_prefix(std::string_view bytes) { prefix_.assign(bytes); }
  Want handshake_step(boost::system::error_code& ec);
  // Decrypts what is here into `buf` (all records already received, up to `size`); Want::read
  // with n == 0 when nothing is. eof is the peer's close_notify, ssl::error::stream_truncated a
  // TCP close without one.
  Want read_now(char* buf, std::size_t size, std::size_t& n, boost::system::error_code& ec);
  // Whether OpenSSL holds bytes or whole records not read yet (read_now goes on without a wait).
  bool has_pending() const;
  // Copies `buffers` into the write buffer (one TLS record per 16 KiB, not one per buffer), then
  // write_step() until it wants nothing: the bytes are then all with the kernel.
  template <class ConstBufferSequence>
  std::size_t start_write(const ConstBufferSequence& buffers, std::size_t limit = kMaxWriteBytes);
  Want write_step(boost::system::error_code& ec);
  // close_notify, then the peer's; Want::nothing once both are done (or the peer just closed).
  Want shutdown_step(boost::system::error_code& ec);
  // Sends close_notify if the socket takes it now; never waits (the WebSocket close).
  void send_close_notify();

  // --- Beast's AsyncStream, and the handshake and shutdown (handlers: (ec) or (ec, n)) ---
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token);
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token);
  template <class Token>
  auto async_handshake(Token&& token);
  template <class Token>
  auto async_shutdown(Token&& token);

  static constexpr std::size_t kMaxWriteBytes = 64 * 1024;

 private:
  friend struct TlsBio;
  template <class Step>
  struct Op;
  template <class Step, class Token>
  auto run(Step step, Token&& token);
  bool expired() const { return expired_; }

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  SSL* ssl_ = nullptr;
  std::string prefix_;
  std::size_t prefix_used_ = 0;
  std::vector<char> write_buffer_;
  std::size_t write_size_ = 0;  // bytes of write_buffer_ in the write under way
  bool expired_ = false;
  bool close_notify_sent_ = false;
};

// One asynchronous operation: runs `step` until it wants nothing, waiting for the socket between
// steps; a completion that needed no wait is posted, never run inside the initiating call.
template <class Step>
struct TlsSocket::Op {
  TlsSocket& s;
  Step step;
  bool waited = false;
  template <class Self>
  void operator()(Self& self, boost::system::error_code wait_ec = {}, std::size_t posted_n = 0, bool posted = false) {
    if (posted) return self.complete(wait_ec, posted_n);
    if (wait_ec || s.expired()) {
      const auto ec = s.expired() ? boost::system::error_code(boost::beast::error::timeout) : wait_ec;
      return self.complete(ec, std::size_t{0});
    }
    boost::system::error_code ec;
    std::size_t n = 0;
    const Want want = step(ec, n);
    if (!ec && want != Want::nothing) {
      waited = true;
      const auto what = want == Want::read ? boost::asio::ip::tcp::socket::wait_read : boost::asio::ip::tcp::socket::wait_write;
      return s.socket_.async_wait(what, std::move(self));
    }
    if (waited) return self.complete(ec, n);
    boost::asio::post(s.get_executor(), boost::asio::append(std::move(self), ec, n, true));
  }
};

template <class Step, class Token>
auto TlsSocket::run(Step step, Token&& token) {
  return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
      Op<Step>{*this, std::move(step)}, token, socket_);
}

template <class ConstBufferSequence>
std::size_t TlsSocket::start_write(const ConstBufferSequence& buffers, std::size_t limit) {
  std::size_t total = 0;
  for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it)
    total += boost::asio::const_buffer(*it).size();
  total = std::min(total, limit);
  if (write_buffer_.size() < total) write_buffer_.resize(total);
  write_size_ = boost::asio::buffer_copy(boost::asio::buffer(write_buffer_.data(), total), buffers);
  return write_size_;
}

template <class Buffers, class Token>
auto TlsSocket::async_read_some(const Buffers& buffers, Token&& token) {
  const boost::asio::mutable_buffer first = *boost::asio::buffer_sequence_begin(buffers);
  return run(
      [this, first](boost::system::error_code& ec, std::size_t& n) {
        if (first.size() == 0) return Want::nothing;
        const Want want = read_now(static_cast<char*>(first.data()), first.size(), n, ec);
        return n > 0 ? Want::nothing : want;
      },
      std::forward<Token>(token));
}

template <class Buffers, class Token>
auto TlsSocket::async_write_some(const Buffers& buffers, Token&& token) {
  const std::size_t n = start_write(buffers);
  return run(
      [this, n](boost::system::error_code& ec, std::size_t& written) {
        const Want want = n == 0 ? Want::nothing : write_step(ec);
        if (want == Want::nothing && !ec) written = n;
        return want;
      },
      std::forward<Token>(token));
}

template <class Token>
auto TlsSocket::async_handshake(Token&& token) {
  return run([this](boost::system::error_code& ec, std::size_t&) { return handshake_step(ec); }, std::forward<Token>(token));
}

template <class Token>
auto TlsSocket::async_shutdown(Token&& token) {
  return run([this](boost::system::error_code& ec, std::size_t&) { return shutdown_step(ec); }, std::forward<Token>(token));
}

}  // namespace parley::transport
