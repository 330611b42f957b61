#pragma once
// Turns a parsed Beast response into the harness's HttpResult (status, lower-cased headers, body).
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <string>

#include "harness.hpp"

namespace parley::conformance {

inline HttpResult to_http_result(boost::beast::http::response<boost::beast::http::string_body>&& res) {
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace parley::conformance
