#include "transport/http_types.hpp"

#include "protocol/json_writer.hpp"

namespace parley::transport {

StringResponse json_response(const Request& req, http::status status, std::string body) {
  StringResponse res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();  // length kept from prepare_payload
  return res;
}

StringResponse error_response(const Request& req, http::status status, std::string_view message) {
  std::string body;
  protocol::JsonWriter(body).begin_object().member("err", message).end_object();
  return json_response(req, status, std::move(body));
}

StringResponse method_not_allowed(const Request& req, std::string_view allow) {
  auto res = error_response(req, http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, allow);
  return res;
}

}  // namespace parley::transport
