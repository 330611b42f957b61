#pragma once
// Routing of the account routes of PROTOCOL.md §3.2 (profile, avatar, logout, logins) onto the
// Accounts core. The transport strips `/api`, applies CORS and the logout Origin check, then calls
// route(); a nullopt answer means "not an accounts route" (fall through to its own 404).
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "accounts/accounts.hpp"
#include "accounts/http/http_types.hpp"

namespace parley::accounts {

struct AccountRequest {
  std::string_view method;         // "GET", "HEAD", "POST", ...
  std::string_view path;           // without the `/api` prefix and without the query: "/profile"
  std::string_view query;          // raw query string without '?', "" when none
  std::string_view authorization;  // raw Authorization header, "" when absent
  std::string_view cookie;         // raw Cookie header, "" when absent
};

// The answer to send, and optionally a request to perform after sending it (token revocation).
struct AccountReply {
  HttpReply reply;
  std::optional<OutboundRequest> after;
};

struct AccountRoute {
  // Ready now (no I/O beyond SQLite): send it.
  std::optional<AccountReply> ready;
  // Otherwise: run this on a blocking thread pool (it makes outbound HTTP requests), then send
  // its result from the I/O thread. Captures only references to Accounts and owned strings.
  std::function<AccountReply()> blocking;
};

class AccountsHttpApi {
 public:
  explicit AccountsHttpApi(Accounts& accounts) : accounts_(accounts) {}

  // nullopt when `path` is not an accounts route (or names a login provider not configured).
  // `now_ms`: wall clock, unix milliseconds.
  std::optional<AccountRoute> route(const AccountRequest& request, std::int64_t now_ms);
  // Same, with the query already decoded by the transport (request.query is then ignored).
  std::optional<AccountRoute> route(const AccountRequest& request, const QueryParams& query, std::int64_t now_ms);

  // Paths route() answers (root form); the transport may use it for its routing table.
  static bool is_account_path(std::string_view path);

 private:
  Accounts& accounts_;
};

}  // namespace parley::accounts
