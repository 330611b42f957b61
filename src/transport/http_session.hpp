#pragma once
// One HTTP/1.1 connection: reads requests (bounded headers, body and time), answers them through
// HttpRoutes, and hands WebSocket upgrades on the signalling path to a WsConnection.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "signalling/identity.hpp"
#include "transport/http_routes.hpp"
#include "transport/server_config.hpp"

namespace parley::transport {

class WsHub;

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(boost::asio::ip::tcp::socket socket, const ServerConfig& config, const HttpRoutes& routes, WsHub& hub,
              const signalling::IdentityResolver& identities);
  void start();

private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  void upgrade(const Request& req);
  // Answers a request that was not read to its end, then drains before closing (lingering_close.hpp).
  void refuse_unread(http::status status, std::string_view message);
  void write(Response response, std::function<void()> after_write = {});
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const ServerConfig& config_;
  const HttpRoutes& routes_;
  WsHub& hub_;
  const signalling::IdentityResolver& identities_;
  bool first_request_ = true;
  bool linger_ = false;
};

}  // namespace parley::transport
