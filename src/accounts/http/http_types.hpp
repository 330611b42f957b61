#pragma once
// Plain HTTP values of the account routes: queries, and the outbound interface for GitHub and
// avatars. No Beast types.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/http_reply.hpp"

namespace parley::accounts {

// The server's one HTTP answer value and its builders (protocol/http_reply.hpp).
using protocol::Header;
using protocol::HttpReply;
using protocol::json_error;
using protocol::json_reply;
using protocol::method_not_allowed;
using protocol::redirect_reply;

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
