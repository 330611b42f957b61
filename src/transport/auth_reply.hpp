#pragma once
// Copies the accounts core's plain replies (accounts::HttpReply) into Beast responses.
#include "accounts/http/http_types.hpp"
#include "transport/http_types.hpp"

namespace parley::transport {

// Status, Content-Type, extra headers and body. A HEAD answer keeps the Content-Length of the
// body it would have sent, without the body (§3.1).
StringResponse to_response(const accounts::HttpReply& reply, unsigned version, bool keep_alive, bool head);
inline StringResponse to_response(const accounts::HttpReply& reply, const Request& req) {
  return to_response(reply, req.version(), req.keep_alive(), req.method() == http::verb::head);
}

}  // namespace parley::transport
