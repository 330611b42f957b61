#pragma once
// Plain request/response values exchanged between the auth core and the transport layer.
// No Beast types: the transport copies these into its own messages.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::accounts {

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
};

// `{"err":message}` with status, the error shape of PROTOCOL.md §3.1.
HttpReply json_error(unsigned status, std::string_view message);
// A JSON body (already serialized) with status 200 unless told otherwise.
HttpReply json_reply(std::string body, unsigned status = 200);
// 307 to `location`.
HttpReply redirect_reply(std::string location);
// 405 {"err":"method not allowed"} with `Allow`.
HttpReply method_not_allowed(std::string_view allow);

// Decoded query parameters; the first occurrence of a name wins (like Go's Query().Get).
using QueryParams = std::map<std::string, std::string, std::less<>>;

// Parses `a=1&b=x%20y` (also `+` as space). Malformed escapes are kept literally.
QueryParams parse_query(std::string_view query);
// Percent-encodes everything except RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);
// Looks up a parameter; an empty value counts as absent when `empty_is_absent`.
std::optional<std::string_view> query_value(const QueryParams& q, std::string_view name, bool empty_is_absent = true);

// Outbound HTTP (GitHub OAuth, remote avatars): a blocking interface the core calls, implemented
// by transport/curl_http_client and by fakes in tests.
struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_body_bytes = 1024 * 1024;  // larger answers fail
  int max_redirects = 0;                     // 0: redirects are not followed
  bool https_only = false;                   // the URL and every redirect must be https
};

struct OutboundResponse {
  bool ok = false;     // the exchange completed (any HTTP status); false: transport error
  std::string error;   // transport error text, for logs only
  long status = 0;
  std::string content_type;
  std::string body;
};

class OutboundHttp {
 public:
  virtual ~OutboundHttp() = default;
  // Blocking; must honour every limit in the request. Never throws for network failures.
  virtual OutboundResponse perform(const OutboundRequest& request) = 0;
};

}  // namespace parley::accounts
