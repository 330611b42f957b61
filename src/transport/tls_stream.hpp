#pragma once
// The byte streams a connection runs over: plain TCP, or TLS over TCP with the context it was
// accepted with (kept alive as long as the stream, since the reload on SIGHUP replaces the
// server's current one). Sessions and WebSockets hold them on the heap, so that a header that
// only names them does not pull in OpenSSL.
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

#include "transport/tls_socket.hpp"

namespace parley::transport {

struct PlainStream {
  static constexpr bool tls = false;
  explicit PlainStream(boost::beast::tcp_stream s) : stream(std::move(s)) {}
  boost::beast::tcp_stream stream;
};

struct TlsStream {
  static constexpr bool tls = true;
  TlsStream(std::shared_ptr<boost::asio::ssl::context> ctx, boost::asio::ip::tcp::socket s)
      : context(std::move(ctx)), stream(context->native_handle(), std::move(s)) {}
  std::shared_ptr<boost::asio::ssl::context> context;  // declared first: outlives the stream
  TlsSocket stream;
};

}  // namespace parley::transport
