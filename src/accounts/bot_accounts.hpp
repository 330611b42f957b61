#pragma once
// The management API (PROTOCOL.md §5), as one request -> reply function. The transport feeds it
// every request from the unix socket; nothing here knows about sockets.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/http/http_types.hpp"
#include "accounts/jwt_service.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

struct ManagementRequest {
  std::string_view method;        // "POST", "GET", "DELETE", ...
  std::string_view target;        // path with optional query: "/bots/delete?username=x"
  std::string_view content_type;  // raw Content-Type header, "" when absent
  std::string_view body;
};

// Fields of /bots/add (and the username of delete/token), from JSON or multipart.
struct BotFields {
  std::optional<std::string> username, display_name, avatar_url;
};

class BotAccounts {
 public:
  // Larger than the public API's 1 MiB: a 1 MiB avatar data URL plus form overhead must fit.
  static constexpr std::size_t kMaxBodyBytes = 2 * 1024 * 1024;

  // Called after a bot account was deleted, so the transport can close its WebSockets (1008).
  using OnDeleted = std::function<void(const storage::User& deleted)>;

  BotAccounts(storage::Storage& storage, const JwtService& jwt, OnDeleted on_deleted = {});
  // For wiring order: the WebSocket hub may exist only after the accounts.
  void set_on_deleted(OnDeleted on_deleted) { on_deleted_ = std::move(on_deleted); }

  // Routes: POST /bots/add, DELETE|POST /bots/delete, GET|HEAD /bots, POST /bots/token.
  // Other paths: 404 {"err":"no handlers matched the request."}; wrong method: 405 with Allow.
  HttpReply handle(const ManagementRequest& request, std::int64_t now);

  // The operations behind the routes.
  HttpReply add(const BotFields& fields, std::int64_t now);
  HttpReply remove(std::string_view username);
  HttpReply list();
  HttpReply token(std::string_view username, std::int64_t now);

 private:
  storage::Storage& storage_;
  const JwtService& jwt_;
  OnDeleted on_deleted_;
};

// Parses a management request body by its Content-Type: JSON (also when absent) or
// multipart/form-data. On failure returns the 400 reply with the exact §5 text.
struct ParsedBotFields {
  BotFields fields;
  std::optional<HttpReply> error;
};
ParsedBotFields parse_bot_fields(std::string_view content_type, std::string_view body);

}  // namespace parley::accounts
