#include "bots/http_connect.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace parley::bots {
namespace asio = boost::asio;
namespace http = boost::beast::http;

asio::awaitable<void> http_connect(boost::beast::tcp_stream& stream, const std::string& host, const std::string& port,
                                   const std::string& authorization) {
  // An IPv6 literal is bracketed in the authority.
  const std::string authority = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  http::request<http::empty_body> request{http::verb::connect, authority, 11};
  request.set(http::field::host, authority);
  request.set(http::field::user_agent, "parley-bots");
  if (!authorization.empty()) request.set(http::field::proxy_authorization, authorization);
  stream.expires_after(std::chrono::seconds(10));
  co_await http::async_write(stream, request, asio::use_awaitable);
  // Nothing comes from the far end before we speak, so the buffer holds the answer alone.
  boost::beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body
  parser.header_limit(16 * 1024);
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  stream.expires_never();
  const auto status = parser.get().result_int();
  if (status < 200 || status > 299)
    throw std::runtime_error("proxy refused CONNECT to " + authority + ": HTTP " + std::to_string(status));
  if (buffer.size() != 0) throw std::runtime_error("proxy sent data before the tunnel was used");
}

}  // namespace parley::bots
