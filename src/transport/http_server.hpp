#pragma once
// The listening socket and everything behind it: routes, the WebSocket hub, graceful shutdown.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>

#include "signalling/identity.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/http_routes.hpp"
#include "transport/server_config.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {

class HttpServer {
public:
  HttpServer(boost::asio::io_context& io, const ServerConfig& config, signalling::SignallingService& service,
             const signalling::Clock& clock, const signalling::IdentityResolver& identities);

  // Binds and starts accepting (and the redirect port, if any); throws on bind failure.
  void start();
  // Stops accepting, closes every WebSocket with 1001, and calls `done` once they are gone
  // (or after `grace_ms`).
  void shutdown(std::int64_t grace_ms, std::function<void()> done);
  std::uint16_t port() const;
  HttpRoutes& routes() { return routes_; }
  const TransportMetrics& metrics() const { return hub_.metrics(); }

private:
  void accept();
  void accept_redirects();
  void wait_drained(std::int64_t deadline_ms, std::function<void()> done);

  boost::asio::io_context& io_;
  const ServerConfig& config_;
  const signalling::Clock& clock_;
  const signalling::IdentityResolver& identities_;
  WsHub hub_;
  HttpRoutes routes_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor redirect_acceptor_;  // --http-redirect-listen
  boost::asio::steady_timer drain_timer_;
};

}  // namespace parley::transport
