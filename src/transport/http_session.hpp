#pragma once
// One HTTP/1.1 connection, over plain TCP or TLS: reads requests (bounded headers, body and
// time), answers them through HttpRoutes, and hands WebSocket upgrades on the signalling path to
// a WsConnection. In redirect mode (plain http reaching a server that speaks https) every request
// is answered with a redirect to https instead.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "signalling/identity.hpp"
#include "transport/http_routes.hpp"
#include "transport/server_config.hpp"

namespace parley::transport {

class WsHub;
struct PlainStream;
struct TlsStream;

template <class Io>
class BasicHttpSession final : public std::enable_shared_from_this<BasicHttpSession<Io>> {
public:
  // `buffer`: bytes already read from the connection (by the TLS detector).
  BasicHttpSession(std::unique_ptr<Io> io, boost::beast::flat_buffer buffer, const ServerConfig& config,
                   const HttpRoutes& routes, WsHub& hub, const signalling::IdentityResolver& identities,
                   bool redirect_to_https = false);
  ~BasicHttpSession();
  void start();

private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  void upgrade(const Request& req);
  // Answers a request that was not read to its end, then drains before closing (lingering_close.hpp).
  void refuse_unread(http::status status, std::string_view message);
  void write(Response response, std::function<void()> after_write = {});
  void close();

  std::unique_ptr<Io> io_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const ServerConfig& config_;
  const HttpRoutes& routes_;
  WsHub& hub_;
  const signalling::IdentityResolver& identities_;
  bool redirect_to_https_;
  bool first_request_ = true;
  bool linger_ = false;
};

using HttpSession = BasicHttpSession<PlainStream>;
using TlsHttpSession = BasicHttpSession<TlsStream>;

// The https URL for a request that came over plain http: the same host name, `https_port`
// (left out when 443) and target. "" when the Host header is not a usable name.
std::string https_location(std::string_view host_header, std::uint16_t https_port, std::string_view target);

}  // namespace parley::transport
