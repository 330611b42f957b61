#pragma once
// HTTP message types shared by the transport files, and small response builders.
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace parley::transport {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using StringResponse = http::response<http::string_body>;
using FileResponse = http::response<http::file_body>;
using Response = std::variant<StringResponse, FileResponse>;

// JSON with `Content-Type: application/json` and `Cache-Control: no-store` (§3.1).
StringResponse json_response(const Request& req, http::status status, std::string body);
// `{"err":"<message>"}`
StringResponse error_response(const Request& req, http::status status, std::string_view message);
StringResponse method_not_allowed(const Request& req, std::string_view allow);

}  // namespace parley::transport
