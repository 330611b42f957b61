#include "transport/tls_detector.hpp"

#include <boost/beast/core/detect_ssl.hpp>
#include <spdlog/spdlog.h>

#include "transport/http_session.hpp"
#include "transport/tls_stream.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {
namespace beast = boost::beast;

TlsDetector::TlsDetector(boost::asio::ip::tcp::socket socket, const ServerConfig& config, const HttpRoutes& routes,
                         WsHub& hub, const signalling::IdentityResolver& identities)
    : stream_(std::move(socket)), config_(config), routes_(routes), hub_(hub), identities_(identities) {}

void TlsDetector::start() {
  stream_.expires_after(std::chrono::milliseconds(config_.upgrade_timeout_ms));
  beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool is_tls) {
    if (ec) {
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
      return;
    }
    self->on_detected(is_tls);
  });
}

void TlsDetector::on_detected(bool is_tls) {
  if (!is_tls) {
    std::make_shared<HttpSession>(std::make_unique<PlainStream>(std::move(stream_)), std::move(buffer_), config_, routes_,
                                  hub_, identities_, /*redirect_to_https=*/true)
        ->start();
    return;
  }
  auto tls = std::make_unique<TlsStream>(config_.tls->current(), stream_.release_socket());
  auto* raw = tls.get();
  // The detector's bytes are the start of the ClientHello: the handshake reads them first.
  const auto seen = buffer_.cdata();
  raw->stream.set_prefix(std::string_view(static_cast<const char*>(seen.data()), seen.size()));
  buffer_.consume(buffer_.size());
  raw->stream.expires_after(std::chrono::milliseconds(config_.upgrade_timeout_ms));
  raw->stream.async_handshake([self = shared_from_this(), tls = std::move(tls)](beast::error_code ec, std::size_t) mutable {
    if (ec) {
      self->hub_.metrics().tls_handshake_failures.inc();
      spdlog::debug("TLS handshake failed: {}", ec.message());
      tls->stream.close();
      return;
    }
    self->hub_.metrics().tls_handshakes.inc();
    std::make_shared<TlsHttpSession>(std::move(tls), std::move(self->buffer_), self->config_, self->routes_, self->hub_,
                                     self->identities_)
        ->start();
  });
}

}  // namespace parley::transport
