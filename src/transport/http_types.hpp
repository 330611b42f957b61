#pragma once
// HTTP message types of the transport, and the one conversion of a route's answer
// (protocol::HttpReply) into a Beast response.
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <variant>

#include "protocol/http_reply.hpp"

namespace parley::transport {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using StringResponse = http::response<http::string_body>;
using FileResponse = http::response<http::file_body>;
using Response = std::variant<StringResponse, FileResponse>;

// Status, Content-Type, extra headers and body. A HEAD answer keeps the Content-Length of the
// body it would have sent, without the body (§3.1).
StringResponse to_response(const protocol::HttpReply& reply, unsigned version, bool keep_alive, bool head);
inline StringResponse to_response(const protocol::HttpReply& reply, const Request& req) {
  return to_response(reply, req.version(), req.keep_alive(), req.method() == http::verb::head);
}

}  // namespace parley::transport
