#include "accounts/bot_accounts.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "accounts/account_names.hpp"
#include "accounts/avatar.hpp"
#include "accounts/http/multipart.hpp"
#include "accounts/random.hpp"
#include "accounts/text_rules.hpp"

namespace parley::accounts {

namespace json = boost::json;

namespace {

HttpReply token_reply(std::string token) { return json_reply(json::serialize(json::object{{"token", token}})); }

// Reads one optional string member; a non-string is an error (null counts as absent).
std::optional<HttpReply> read_json_field(const json::object& o, std::string_view name,
                                         std::optional<std::string>& out) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) return json_error(400, "invalid " + std::string(name) + ": must be a string");
  out = std::string(v->as_string());
  return std::nullopt;
}

// Echoed in an error; keep it short and printable.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 100)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out;
}

}  // namespace

ParsedBotFields parse_bot_fields(std::string_view content_type, std::string_view body) {
  ParsedBotFields out;
  const auto mt = trim_ascii_space(content_type).empty() ? std::optional<MediaType>(MediaType{"application/json", {}})
                                                         : parse_media_type(content_type);
  if (mt && mt->type == "application/json") {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) {
      out.error = json_error(400, "invalid JSON body: " + ec.message());
      return out;
    }
    if (!v.is_object()) {
      out.error = json_error(400, "invalid JSON body: expected an object");
      return out;
    }
    const auto& o = v.as_object();
    for (auto [name, field] : {std::pair{"username", &out.fields.username},
                               std::pair{"display_name", &out.fields.display_name},
                               std::pair{"avatar_url", &out.fields.avatar_url}}) {
      if (auto err = read_json_field(o, name, *field)) {
        out.error = std::move(err);
        return out;
      }
    }
    return out;
  }
  if (mt && mt->type == "multipart/form-data") {
    const auto b = mt->params.find("boundary");
    if (b == mt->params.end()) {
      out.error = json_error(400, "invalid multipart body: missing boundary");
      return out;
    }
    auto parts = parse_multipart(body, b->second);
    if (!parts.error.empty()) {
      out.error = json_error(400, "invalid multipart body: " + parts.error);
      return out;
    }
    for (auto& f : parts.fields) {
      std::optional<std::string>* slot = f.name == "username"       ? &out.fields.username
                                         : f.name == "display_name" ? &out.fields.display_name
                                         : f.name == "avatar_url"   ? &out.fields.avatar_url
                                                                    : nullptr;
      if (slot && !*slot) *slot = std::move(f.value);  // the first occurrence wins
    }
    return out;
  }
  out.error = json_error(400, "unsupported content type: " + printable(trim_ascii_space(content_type)));
  return out;
}

BotAccounts::BotAccounts(storage::Storage& storage, const JwtService& jwt, OnDeleted on_deleted)
    : storage_(storage), jwt_(jwt), on_deleted_(std::move(on_deleted)) {}

HttpReply BotAccounts::handle(const ManagementRequest& req, std::int64_t now) {
  const auto q = req.target.find('?');
  const std::string_view path = req.target.substr(0, q);
  const QueryParams query = q == std::string_view::npos ? QueryParams{} : parse_query(req.target.substr(q + 1));
  const bool is_get = req.method == "GET" || req.method == "HEAD";

  if (path != "/bots/add" && path != "/bots/delete" && path != "/bots" && path != "/bots/token")
    return json_error(404, "no handlers matched the request.");
  if (req.body.size() > kMaxBodyBytes) return json_error(413, "request body too large");

  if (path == "/bots") {
    if (!is_get) return method_not_allowed("GET, HEAD");
    return list();
  }
  if (path == "/bots/delete" && req.method == "DELETE") {
    if (const auto u = query_value(query, "username")) return remove(*u);
    if (req.body.empty()) return json_error(400, "username is required");
  } else if (req.method != "POST") {
    return method_not_allowed(path == "/bots/delete" ? "DELETE, POST" : "POST");
  }

  auto parsed = parse_bot_fields(req.content_type, req.body);
  if (parsed.error) return *parsed.error;
  if (path == "/bots/add") return add(parsed.fields, now);
  // delete and token take the username from the body, or else the query.
  std::string username = parsed.fields.username.value_or("");
  if (username.empty()) username = std::string(query_value(query, "username").value_or(""));
  if (path == "/bots/delete") return remove(username);
  return token(username, now);
}

HttpReply BotAccounts::add(const BotFields& fields, std::int64_t now) {
  const std::string username = fields.username.value_or("");
  if (username.empty()) return json_error(400, "username is required");
  if (!valid_bot_username(username))
    return json_error(400, "invalid username: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");
  const std::string display_name = fields.display_name.value_or("");
  if (auto problem = display_name_problem(display_name)) return json_error(400, "invalid display_name: " + *problem);
  const std::string avatar_url(trim_ascii_space(fields.avatar_url.value_or("")));
  if (auto problem = avatar_url_problem(avatar_url)) return json_error(400, "invalid avatar_url: " + *problem);

  if (auto existing = storage_.user_by_username(username)) {
    if (!existing->is_bot) return json_error(409, "username already exists");
    // Provisioning scripts call add on every start: update and hand out a fresh token.
    storage_.update_user_profile(existing->id, display_name, avatar_url);
    spdlog::info("management: updated bot {}", existing->username);
    return token_reply(jwt_.issue(existing->id, now));
  }
  storage::User user;
  user.id = uuid_v4();
  user.username = username;
  user.display_name = display_name;
  user.avatar_url = avatar_url;
  user.is_bot = true;
  user.created_at = now;
  switch (storage_.insert_user(user)) {
    case storage::InsertUserResult::ok: break;
    case storage::InsertUserResult::username_taken: return json_error(409, "username already exists");
    case storage::InsertUserResult::username_confusable:
      return json_error(409, "username looks like an existing account's (confusable characters)");
    case storage::InsertUserResult::identity_taken: return json_error(500, "internal error");  // UUID clash
  }
  spdlog::info("management: added bot {}", username);
  return token_reply(jwt_.issue(user.id, now));
}

HttpReply BotAccounts::remove(std::string_view username) {
  if (username.empty()) return json_error(400, "username is required");
  const auto user = storage_.user_by_username(username);
  if (!user || !user->is_bot) return json_error(404, "no such bot");
  storage_.delete_user(user->id);
  spdlog::info("management: deleted bot {}", user->username);
  if (on_deleted_) on_deleted_(*user);
  return json_reply(json::serialize(json::object{{"deleted", user->username}}));
}

HttpReply BotAccounts::list() {
  json::array bots;
  for (const auto& u : storage_.list_bots()) {
    bots.push_back(json::object{{"username", u.username},
                                {"display_name", u.display_name},
                                {"has_avatar", !u.avatar_url.empty()},
                                {"created_at", u.created_at}});
  }
  return json_reply(json::serialize(json::object{{"bots", std::move(bots)}}));
}

HttpReply BotAccounts::token(std::string_view username, std::int64_t now) {
  if (username.empty()) return json_error(400, "username is required");
  const auto user = storage_.user_by_username(username);
  if (!user || !user->is_bot) return json_error(404, "no such bot");
  return token_reply(jwt_.issue(user->id, now));
}

}  // namespace parley::accounts
