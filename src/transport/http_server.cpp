#include "transport/http_server.hpp"

#include <spdlog/spdlog.h>

#include "transport/http_session.hpp"
#include "transport/tls_detector.hpp"
#include "transport/tls_stream.hpp"

namespace parley::transport {
namespace asio = boost::asio;
using asio::ip::tcp;

HttpServer::HttpServer(asio::io_context& io, const ServerConfig& config, signalling::SignallingService& service,
                       const signalling::Clock& clock, const signalling::IdentityResolver& identities)
    : io_(io),
      config_(config),
      clock_(clock),
      identities_(identities),
      hub_(io, service, clock, config.ws),
      routes_(config, service, hub_, identities),
      acceptor_(io),
      redirect_acceptor_(io),
      drain_timer_(io) {}

namespace {
void listen_on(tcp::acceptor& acceptor, const std::string& address, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}
}  // namespace

void HttpServer::start() {
  listen_on(acceptor_, config_.listen_address, config_.listen_port);
  if (config_.http_redirect) listen_on(redirect_acceptor_, config_.http_redirect->address, config_.http_redirect->port);
  hub_.start_sweeper();
  accept();
  if (config_.http_redirect) accept_redirects();
}

std::uint16_t HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors and the like: log, back off briefly, keep serving.
      spdlog::warn("accept failed: {}", ec.message());
      drain_timer_.expires_after(std::chrono::milliseconds(100));
      drain_timer_.async_wait([this](boost::system::error_code) { accept(); });
      return;
    }
    if (config_.tls)
      std::make_shared<TlsDetector>(std::move(socket), config_, routes_, hub_, identities_)->start();
    else
      std::make_shared<HttpSession>(std::make_unique<PlainStream>(boost::beast::tcp_stream(std::move(socket))),
                                    boost::beast::flat_buffer{}, config_, routes_, hub_, identities_)
          ->start();
    accept();
  });
}

void HttpServer::accept_redirects() {
  if (!redirect_acceptor_.is_open()) return;  // shut down
  redirect_acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {  // out of descriptors and the like: back off briefly, as the main port does
      auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](boost::system::error_code e) { if (!e) accept_redirects(); });
      return;
    }
    std::make_shared<HttpSession>(std::make_unique<PlainStream>(boost::beast::tcp_stream(std::move(socket))),
                                    boost::beast::flat_buffer{}, config_, routes_, hub_, identities_, /*redirect_to_https=*/true)
          ->start();
    accept_redirects();
  });
}

void HttpServer::shutdown(std::int64_t grace_ms, std::function<void()> done) {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  redirect_acceptor_.close(ignored);
  spdlog::info("shutting down: closing {} WebSocket connections", hub_.size());
  hub_.close_all(signalling::CloseCode::going_away, "server shutdown");
  wait_drained(clock_.steady_ms() + grace_ms, std::move(done));
}

void HttpServer::wait_drained(std::int64_t deadline_ms, std::function<void()> done) {
  if (hub_.size() == 0 || clock_.steady_ms() >= deadline_ms) return done();
  drain_timer_.expires_after(std::chrono::milliseconds(20));
  drain_timer_.async_wait([this, deadline_ms, done = std::move(done)](boost::system::error_code) mutable {
    wait_drained(deadline_ms, std::move(done));
  });
}

}  // namespace parley::transport
