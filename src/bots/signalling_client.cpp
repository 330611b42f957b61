#include "bots/signalling_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "bots/http_connect.hpp"
#include "bots/util.hpp"
#include "protocol/envelope.hpp"

namespace parley::bots {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::size_t kMaxQueuedFrames = 1024;
constexpr std::size_t kMaxFrameBytes = 1 << 20;  // the server's own hard limit
constexpr auto kMaxBackoff = std::chrono::seconds(60);
}  // namespace

SignallingClient::SignallingClient(asio::io_context& io, SignallingOptions options, SignallingEvents events)
    : io_(io), options_(std::move(options)), events_(std::move(events)), wake_(io), use_token_(!options_.jwt.empty()) {}

void SignallingClient::start() {
  asio::co_spawn(io_, [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void SignallingClient::stop() {
  stopped_ = true;
  wake_.cancel();  // the writer sends a close frame
  // ...and a server that does not answer it is cut off a moment later.
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(500));
  timer->async_wait([self = shared_from_this(), timer](boost::system::error_code) {
    if (self->close_socket_) self->close_socket_();
  });
}

std::string SignallingClient::register_frame(bool with_token) const {
  protocol::Envelope e;
  // With a token the server names us after our account (§9.7); never "" while anonymous.
  e.register_ = protocol::RegisterPayload{with_token ? "" : options_.bot_name};
  if (!options_.attributes.empty()) e.attributes_announcement = protocol::AttributesAnnouncement{options_.attributes, {}};
  return protocol::encode_envelope(e);
}

void SignallingClient::enqueue(std::string frame) {
  if (queue_.size() >= kMaxQueuedFrames) {
    spdlog::warn("{}: signalling send queue full; frame dropped", options_.bot_name);
    return;
  }
  queue_.push_back(std::move(frame));
  wake_.cancel();
}

bool SignallingClient::send_sdp(const std::string& to, const std::string& type, const std::string& offer_json) {
  if (!connected_ || node_id_.empty()) return false;
  protocol::Envelope e;
  e.sdp_offer = protocol::SdpOffer{type, offer_json, node_id_, to};
  enqueue(protocol::encode_envelope(e));
  return true;
}

bool SignallingClient::send_ice(const std::string& to, const std::string& offer_json) {
  if (!connected_ || node_id_.empty()) return false;
  protocol::Envelope e;
  e.ice_offer = protocol::IceOffer{offer_json, node_id_, to};
  enqueue(protocol::encode_envelope(e));
  return true;
}

namespace {
// A wss:// server whose certificate chain is not trusted: say what to do about it.
std::string certificate_hint(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category() || ec.message().find("certificate verify failed") == std::string::npos)
    return "";
  return " (the server's certificate is not trusted: give its CA with --custom-ca FILE, or add the CA to the system's "
         "certificates; scripts/dev-ca.sh prints how)";
}
}  // namespace

asio::awaitable<void> SignallingClient::run() {
  auto delay = options_.reconnect_delay;
  std::mt19937 rng(std::random_device{}());
  asio::steady_timer backoff(io_);
  while (!stopped_) {
    bool was_registered = false;
    try {
      co_await connect_and_serve();
    } catch (const boost::system::system_error& e) {
      if (!stopped_) spdlog::warn("{}: signalling: {}{}", options_.bot_name, e.code().message(), certificate_hint(e.code()));
    } catch (const std::exception& e) {
      if (!stopped_) spdlog::warn("{}: signalling: {}", options_.bot_name, e.what());
    }
    was_registered = !node_id_.empty();
    connected_ = false;
    node_id_.clear();
    queue_.clear();  // stale relays for a session that is gone
    close_socket_ = nullptr;
    if (events_.on_disconnected) events_.on_disconnected();
    if (stopped_ || !options_.reconnect) break;
    if (was_registered) delay = options_.reconnect_delay;  // a session that worked restarts the back-off
    // ±20 % jitter so that many bots do not redial in lockstep.
    auto jittered = std::chrono::milliseconds(static_cast<long>(
        static_cast<double>(delay.count()) * std::uniform_real_distribution<double>(0.8, 1.2)(rng)));
    spdlog::info("{}: reconnecting in {} ms", options_.bot_name, jittered.count());
    backoff.expires_after(jittered);
    close_socket_ = [&backoff] { backoff.cancel(); };
    boost::system::error_code ec;
    co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
    close_socket_ = nullptr;
    delay = std::min<std::chrono::milliseconds>(delay * 2, kMaxBackoff);
  }
  finished_ = true;
}

asio::awaitable<void> SignallingClient::connect_and_serve() {
  auto url = boost::urls::parse_uri(options_.url);
  if (!url) throw std::runtime_error("bad --ws-server URL");
  const bool tls = url->scheme() == "wss";
  if (!tls && url->scheme() != "ws") throw std::runtime_error("--ws-server must be ws:// or wss://");
  const std::string host = url->host_address();
  const std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
  std::string target = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
  if (url->has_query()) target += "?" + std::string(url->encoded_query());

  // Through a proxy the TCP connection goes to the proxy, which resolves the server's name.
  std::optional<ProxyEndpoint> proxy = options_.proxy.proxy_for(tls, host, port);
  const auto endpoints = co_await resolve(proxy ? proxy->host : host, proxy ? proxy->port : port);
  auto open_tcp = [&](beast::tcp_stream& stream) -> asio::awaitable<void> {
    stream.expires_after(std::chrono::seconds(10));
    co_await stream.async_connect(endpoints, use_awaitable);
    stream.expires_never();
    if (proxy) {
      spdlog::debug("{}: tunnel to {}:{} through {}", options_.bot_name, host, port, proxy->display);
      co_await http_connect(stream, host, port, proxy->authorization);
    }
  };

  auto configure = [&](auto& ws) {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    // Our echo gets a pong every ping period: silence this long means a dead server.
    timeouts.idle_timeout = std::max<std::chrono::steady_clock::duration>(std::chrono::seconds(15), options_.ping_period * 4);
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.read_message_max(kMaxFrameBytes);
    std::string token = use_token_ ? options_.jwt : std::string();
    ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "parley-bots");
      if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
    }));
  };
  auto handshake = [&](auto& ws) -> asio::awaitable<void> {
    websocket::response_type response;
    boost::system::error_code ec;
    co_await ws.async_handshake(response, host + ":" + port, target, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (response.result() == beast::http::status::unauthorized && use_token_) {
        spdlog::error("{}: the server refused our token (401); redialling without it", options_.bot_name);
        use_token_ = false;
      }
      throw boost::system::system_error(ec, "handshake");
    }
  };

  if (!tls) {
    websocket::stream<beast::tcp_stream> ws(io_);
    close_socket_ = [&ws] { beast::get_lowest_layer(ws).close(); };
    co_await open_tcp(beast::get_lowest_layer(ws));
    configure(ws);
    co_await handshake(ws);
    co_await serve(ws);
  } else {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    for (const auto& ca : options_.custom_ca_files) ctx.load_verify_file(ca);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(io_, ctx);
    close_socket_ = [&ws] { beast::get_lowest_layer(ws).close(); };
    if (!SSL_set_tlsext_host_name(ws.next_layer().native_handle(), host.c_str()))
      throw std::runtime_error("cannot set TLS SNI");
    ws.next_layer().set_verify_callback(asio::ssl::host_name_verification(host));
    co_await open_tcp(beast::get_lowest_layer(ws));
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    configure(ws);
    co_await handshake(ws);
    co_await serve(ws);
  }
}

asio::awaitable<std::vector<asio::ip::tcp::endpoint>> SignallingClient::resolve(const std::string& host,
                                                                              const std::string& port) {
  std::vector<asio::ip::tcp::endpoint> out;
  const unsigned long port_value = port.empty() || port.size() > 5 ? 0 : std::stoul(port);
  if (port_value == 0 || port_value > 65535) throw std::runtime_error("bad port '" + port.substr(0, 16) + "'");
  const auto port_number = static_cast<unsigned short>(port_value);
  boost::system::error_code ec;
  auto literal = asio::ip::make_address(host, ec);
  if (!ec) {
    out.emplace_back(literal, port_number);
  } else if (options_.dns_server && host != "localhost") {
    for (const auto& a : co_await resolve_with(*options_.dns_server, host, options_.prefer_ipv6, std::chrono::seconds(5)))
      out.emplace_back(a, port_number);
  } else {
    asio::ip::tcp::resolver resolver(io_);
    // No co_await inside ?: — GCC 12 then destroys the temporary twice (heap corruption).
    asio::ip::tcp::resolver::results_type results;
    if (options_.prefer_ipv6)
      results = co_await resolver.async_resolve(asio::ip::tcp::v6(), host, port, use_awaitable);
    else
      results = co_await resolver.async_resolve(host, port, use_awaitable);
    for (const auto& r : results) out.push_back(r.endpoint());
  }
  co_return out;
}

template <class Ws>
asio::awaitable<void> SignallingClient::serve(Ws& ws) {
  connected_ = true;
  queue_.clear();
  queue_.push_back(register_frame(use_token_));
  spdlog::info("{}: connected to {}", options_.bot_name, options_.url);
  // The three loops end together: the first to finish (a read error, stop()) cancels the others.
  co_await (read_loop(ws) || write_loop(ws) || ping_loop());
}

// Each loop returns normally on error: `||` ends on the first *successful* completion, so a
// loop that threw would leave the others running forever.
template <class Ws>
asio::awaitable<void> SignallingClient::read_loop(Ws& ws) {
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    boost::system::error_code ec;
    co_await ws.async_read(buffer, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!stopped_) spdlog::warn("{}: signalling lost: {}", options_.bot_name, ec.message());
      co_return;
    }
    if (!ws.got_text()) continue;  // the protocol is text frames only
    handle_frame(beast::buffers_to_string(buffer.data()));
  }
}

template <class Ws>
asio::awaitable<void> SignallingClient::write_loop(Ws& ws) {
  ws.text(true);
  for (;;) {
    boost::system::error_code ec;
    while (!queue_.empty()) {
      std::string frame = std::move(queue_.front());
      queue_.pop_front();
      co_await ws.async_write(asio::buffer(frame), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
    }
    if (stopped_) {
      co_await ws.async_close(websocket::close_code::normal, asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(asio::redirect_error(use_awaitable, ec));  // send() cancels it
  }
}

asio::awaitable<void> SignallingClient::ping_loop() {
  asio::steady_timer timer(io_);
  for (;;) {
    protocol::Envelope e;
    ++ping_seq_;
    e.echo = protocol::EchoPayload{"ping", "ping-" + std::to_string(ping_seq_), 0, now_ms(), ping_seq_};
    enqueue(protocol::encode_envelope(e));
    timer.expires_after(options_.ping_period);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
  }
}

void SignallingClient::handle_frame(const std::string& text) {
  auto decoded = protocol::decode_envelope(text, protocol::Sender::server);
  if (!decoded.ok()) {
    // Unlike the original bots, a malformed frame never costs us the connection.
    spdlog::warn("{}: ignored a malformed signalling frame ({})", options_.bot_name, decoded.error.message);
    return;
  }
  const auto& e = *decoded.envelope;
  // Our id comes only from the register reply: a frame with both node_id and register (§2.3).
  if (e.node_id && e.register_ && !e.echo) {
    bool changed = node_id_ != *e.node_id;
    node_id_ = *e.node_id;
    spdlog::info("{}: registered as '{}' ({})", options_.bot_name, e.register_->node_name, node_id_);
    if (changed && events_.on_registered) events_.on_registered(node_id_, e.register_->node_name);
  }
  if (e.error) {
    spdlog::warn("{}: server error {} ({})", options_.bot_name, e.error->code, e.error->message.substr(0, 200));
    if (e.error->code == "invalid_token" && use_token_) {
      spdlog::error("{}: our token was rejected; registering again as {}", options_.bot_name, options_.bot_name);
      use_token_ = false;
      enqueue(register_frame(false));
    }
  }
  if (e.offline && events_.on_offline) events_.on_offline(e.offline->node_id);
  // Relays addressed to somebody else are ignored (§2.9).
  if (e.sdp_offer && !node_id_.empty() && e.sdp_offer->to_node_id == node_id_ && events_.on_sdp)
    events_.on_sdp(e.sdp_offer->from_node_id, e.sdp_offer->type, e.sdp_offer->offer_json);
  if (e.ice_offer && !node_id_.empty() && e.ice_offer->to_node_id == node_id_ && events_.on_ice)
    events_.on_ice(e.ice_offer->from_node_id, e.ice_offer->offer_json);
}

}  // namespace parley::bots
