#pragma once
// The first bytes of a connection to a TLS port decide: a TLS handshake (then HTTPS and WSS), or
// plain HTTP (then a redirect to https, never a crash or a silent close). Both within the upgrade
// timeout, so a client that stalls mid-handshake is cut off.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

#include "signalling/identity.hpp"
#include "transport/http_routes.hpp"
#include "transport/server_config.hpp"

namespace parley::transport {

class WsHub;

class TlsDetector final : public std::enable_shared_from_this<TlsDetector> {
public:
  TlsDetector(boost::asio::ip::tcp::socket socket, const ServerConfig& config, const HttpRoutes& routes, WsHub& hub,
              const signalling::IdentityResolver& identities);
  void start();

private:
  void on_detected(bool is_tls);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const ServerConfig& config_;
  const HttpRoutes& routes_;
  WsHub& hub_;
  const signalling::IdentityResolver& identities_;
};

}  // namespace parley::transport
