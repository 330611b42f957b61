#pragma once
// The one HTTP answer value of the server: what every route (API, accounts, management) returns.
// No Beast types: the transport turns it into a response once, where it writes (to_response).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::protocol {

using Header = std::pair<std::string, std::string>;

// A complete HTTP answer: status, body, Content-Type and any extra headers (Set-Cookie, Location,
// Allow, Cache-Control, avatar safety headers...). JSON replies already carry
// `Cache-Control: no-store` in `headers`.
struct HttpReply {
  unsigned status = 200;
  std::string body;
  std::string content_type;  // empty: send no Content-Type (empty bodies)
  std::vector<Header> headers;

  // First value of a header, ASCII case-insensitive (for tests and wiring).
  std::optional<std::string> header(std::string_view name) const;
  // Replaces every value of a header (ASCII case-insensitive) by one.
  void set_header(std::string_view name, std::string value);
};

// `{"err":message}` with status, the error shape of PROTOCOL.md §3.1.
HttpReply json_error(unsigned status, std::string_view message);
// A JSON body (already serialized) with status 200 unless told otherwise.
HttpReply json_reply(std::string body, unsigned status = 200);
// 307 to `location`.
HttpReply redirect_reply(std::string location);
// 405 {"err":"method not allowed"} with `Allow`.
HttpReply method_not_allowed(std::string_view allow);

}  // namespace parley::protocol
