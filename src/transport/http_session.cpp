#include "transport/http_session.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "transport/client_address.hpp"
#include "transport/lingering_close.hpp"
#include "transport/origin_policy.hpp"
#include "transport/tls_stream.hpp"
#include "transport/ws_connection.hpp"
#include "transport/ws_handshake.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {
namespace beast = boost::beast;

namespace {
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool usable_host_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '[' || c == ']' || c == ':'))
      return false;
  return true;
}
}  // namespace

std::string https_location(std::string_view host_header, std::uint16_t https_port, std::string_view target) {
  const std::string name = host_name_of(host_header);
  if (!usable_host_name(name)) return "";
  std::string url = "https://" + name;
  if (https_port != 443) url += ":" + std::to_string(https_port);
  url += target.empty() || target.front() != '/' ? std::string("/") : std::string(target);
  return url;
}

template <class Io>
BasicHttpSession<Io>::BasicHttpSession(std::unique_ptr<Io> io, beast::flat_buffer buffer, const ServerConfig& config,
                                       const HttpRoutes& routes, WsHub& hub, const signalling::IdentityResolver& identities,
                                       bool redirect_to_https)
    : io_(std::move(io)),
      buffer_(std::move(buffer)),
      config_(config),
      routes_(routes),
      hub_(hub),
      identities_(identities),
      redirect_to_https_(redirect_to_https) {}

template <class Io>
BasicHttpSession<Io>::~BasicHttpSession() = default;

template <class Io>
void BasicHttpSession<Io>::start() { read_request(); }

template <class Io>
void BasicHttpSession<Io>::read_request() {
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(kMaxBodyBytes);
  // A new connection must upgrade (or send its first request) within the upgrade timeout.
  beast::get_lowest_layer(io_->stream)
      .expires_after(std::chrono::milliseconds(first_request_ ? config_.upgrade_timeout_ms : config_.request_timeout_ms));
  http::async_read(io_->stream, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_read(ec);
  });
}

template <class Io>
void BasicHttpSession<Io>::on_read(beast::error_code ec) {
  first_request_ = false;
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
  if (ec == http::error::header_limit || ec == http::error::body_limit || ec == http::error::buffer_overflow)
    return refuse_unread(http::status::payload_too_large, "request too large");
  if (ec) {
    if (ec != beast::errc::make_error_code(beast::errc::connection_reset) && ec != boost::asio::error::eof &&
        ec != boost::asio::ssl::error::stream_truncated)
      return refuse_unread(http::status::bad_request, "malformed request");
    return close();
  }
  // Shared: an async route answers later, and the request must live until then.
  auto req = std::make_shared<Request>(parser_->release());
  if (!config_.origins.host_allowed((*req)[http::field::host])) {
    // Not one of our names: a DNS-rebinding page, or a misrouted request (F9).
    if (beast::websocket::is_upgrade(*req)) hub_.metrics().handshake_failures.inc(HandshakeFailure::unknown_host);
    auto res = to_response(protocol::json_error(421, "unknown host"), *req);
    res.keep_alive(false);
    return write(std::move(res));
  }
  if (redirect_to_https_) {
    const auto location = https_location((*req)[http::field::host], config_.listen_port, req->target());
    if (location.empty()) return write(to_response(protocol::json_error(400, "this server speaks https; send a Host header"), *req));
    auto res = to_response(protocol::json_error(308, "this server speaks https"), *req);
    res.set(http::field::location, location);
    res.keep_alive(false);
    return write(std::move(res));
  }
  const auto path = path_of(req->target());
  const bool ws_path = path == config_.ws_path || path == "/api" + config_.ws_path;
  if (ws_path && beast::websocket::is_upgrade(*req)) return upgrade(*req);
  routes_.handle(*req, [self = this->shared_from_this(), req](Response res, std::function<void()> after_write) {
    self->write(std::move(res), std::move(after_write));
  });
}

template <class Io>
void BasicHttpSession<Io>::upgrade(const Request& req) {
  auto refuse = [&](HandshakeFailure why, http::status status, std::string_view message) {
    hub_.metrics().handshake_failures.inc(why);
    auto res = to_response(protocol::json_error(static_cast<unsigned>(status), message), req);
    res.keep_alive(false);
    write(std::move(res));
  };
  const bool has_origin = req.count(http::field::origin) > 0;
  if (!config_.origins.accepts_websocket(req[http::field::origin], has_origin, req[http::field::host]))
    return refuse(HandshakeFailure::origin_refused, http::status::forbidden, "origin not allowed");
  if (req[http::field::sec_websocket_version] != "13") {
    hub_.metrics().handshake_failures.inc(HandshakeFailure::bad_version);
    auto res = to_response(protocol::json_error(426, "unsupported WebSocket version"), req);
    res.set(http::field::sec_websocket_version, "13");
    res.keep_alive(false);
    return write(std::move(res));
  }
  const auto key = req[http::field::sec_websocket_key];
  if (!is_valid_websocket_key(key)) return refuse(HandshakeFailure::bad_key, http::status::bad_request, "invalid Sec-WebSocket-Key");
  if (hub_.full()) return refuse(HandshakeFailure::server_full, http::status::service_unavailable, "server full");

  beast::error_code ec;
  const auto peer = beast::get_lowest_layer(io_->stream).socket().remote_endpoint(ec);
  std::string address = ec ? std::string() : client_address(peer.address(), req["X-Forwarded-For"], config_.trusted_proxies);
  if (const auto wait_ms = hub_.service().penalty_ms(address); wait_ms > 0) {
    // Closed for abuse a moment ago: a 429 costs less than an upgrade, a register and a burst.
    hub_.metrics().handshake_failures.inc(HandshakeFailure::penalised);
    auto res = to_response(protocol::json_error(429, "closed for abuse; wait before connecting again"), req);
    res.set(http::field::retry_after, std::to_string((wait_ms + 999) / 1000));
    res.keep_alive(false);
    return write(std::move(res));
  }
  auto who = identities_.resolve(req[http::field::authorization], req[http::field::cookie]);
  if (who.unavailable)
    return refuse(HandshakeFailure::accounts_unavailable, http::status::service_unavailable, "accounts unavailable");
  hub_.metrics().handshakes.inc();
  // Bytes the client sent after the request (its first frames) are already in our buffer.
  const auto data = buffer_.cdata();
  std::string early(static_cast<const char*>(data.data()), data.size());
  beast::get_lowest_layer(io_->stream).expires_never();
  std::shared_ptr<WsConnection> ws;
  if constexpr (Io::tls)
    ws = std::make_shared<WsConnection>(std::move(io_), hub_);
  else
    ws = std::make_shared<WsConnection>(io_->stream.release_socket(), hub_);
  ws->start(websocket_upgrade_response(key), std::move(early), std::move(who.identity), who.invalid_token, std::move(address));
}

template <class Io>
void BasicHttpSession<Io>::refuse_unread(http::status status, std::string_view message) {
  Request dummy;
  dummy.version(11);
  dummy.keep_alive(false);
  linger_ = true;
  write(to_response(protocol::json_error(static_cast<unsigned>(status), message), dummy));
}

template <class Io>
void BasicHttpSession<Io>::write(Response response, std::function<void()> after_write) {
  beast::get_lowest_layer(io_->stream).expires_after(std::chrono::milliseconds(config_.request_timeout_ms));
  auto held = std::make_shared<Response>(std::move(response));
  std::visit(
      [&](auto& res) {
        const bool keep_alive = res.keep_alive();
        http::async_write(io_->stream, res, [self = this->shared_from_this(), held, keep_alive,
                                             after = std::move(after_write)](beast::error_code ec, std::size_t) {
          if (after) after();
          if (ec || !keep_alive) return self->close();
          self->read_request();
        });
      },
      *held);
}

template <class Io>
void BasicHttpSession<Io>::close() {
  auto& tcp = beast::get_lowest_layer(io_->stream);
  if constexpr (Io::tls) {
    // close_notify, bounded in time; a peer that never answers it is simply disconnected.
    tcp.expires_after(kTlsShutdownTimeout);
    io_->stream.async_shutdown([self = this->shared_from_this()](beast::error_code, std::size_t) {
      beast::get_lowest_layer(self->io_->stream).close();
    });
  } else {
    if (linger_) return lingering_close(tcp, this->shared_from_this());
    beast::error_code ignored;
    tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    tcp.close();
  }
}

template class BasicHttpSession<PlainStream>;
template class BasicHttpSession<TlsStream>;

}  // namespace parley::transport
