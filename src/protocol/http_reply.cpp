#include "protocol/http_reply.hpp"

#include "protocol/ascii.hpp"
#include "protocol/json_writer.hpp"

namespace parley::protocol {

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (ascii_iequals(k, name)) return v;
  return std::nullopt;
}

void HttpReply::set_header(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const Header& h) { return ascii_iequals(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

HttpReply json_reply(std::string body, unsigned status) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "application/json";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpReply json_error(unsigned status, std::string_view message) {
  std::string body;
  JsonWriter(body).begin_object().member("err", message).end_object();
  return json_reply(std::move(body), status);
}

HttpReply redirect_reply(std::string location) {
  HttpReply r;
  r.status = 307;
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpReply method_not_allowed(std::string_view allow) {
  HttpReply r = json_error(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace parley::protocol
