// Opens a tunnel through an HTTP proxy with CONNECT (RFC 9110 §9.3.6) on a connected stream;
// the WebSocket (and TLS for wss://) then runs inside it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string>

namespace parley::bots {

// Sends "CONNECT host:port" (with Proxy-Authorization when `authorization` is set) and reads the
// proxy's answer within 10 s. Throws std::runtime_error unless it is 2xx.
boost::asio::awaitable<void> http_connect(boost::beast::tcp_stream& stream, const std::string& host,
                                          const std::string& port, const std::string& authorization);

}  // namespace parley::bots
