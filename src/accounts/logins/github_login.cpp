#include "accounts/logins/github_login.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "accounts/base64.hpp"

namespace parley::accounts {

namespace json = boost::json;

namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string string_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

}  // namespace

GithubLogin::GithubLogin(GithubConfig config, LoginFlow& flow, AccountProvisioner& accounts, OutboundHttp& http)
    : config_(std::move(config)), flow_(flow), accounts_(accounts), http_(http) {
  config_.oauth_base_url = trim_slash(config_.oauth_base_url);
  config_.api_base_url = trim_slash(config_.api_base_url);
}

std::string GithubLogin::authorize_url(std::string_view nonce) const {
  return config_.oauth_base_url + "/login/oauth/authorize?client_id=" + url_encode(config_.client_id) +
         "&redirect_uri=" + url_encode(config_.redirect_url) + "&scope=read%3Auser&state=" + url_encode(nonce);
}

HttpReply GithubLogin::start(std::string_view cookie_header, std::string_view current_page, std::int64_t now) {
  auto begun = flow_.begin(kProvider, cookie_header, current_page, now);
  return LoginFlow::redirect(authorize_url(begun.nonce), begun.set_cookie);
}

OutboundRequest GithubLogin::token_request(std::string_view code) const {
  OutboundRequest r;
  r.method = "POST";
  r.url = config_.oauth_base_url + "/login/oauth/access_token";
  r.headers = {{"Accept", "application/json"},
               {"Content-Type", "application/x-www-form-urlencoded"},
               {"User-Agent", "parley"}};
  r.body = "client_id=" + url_encode(config_.client_id) + "&client_secret=" + url_encode(config_.client_secret) +
           "&code=" + url_encode(code) + "&redirect_uri=" + url_encode(config_.redirect_url);
  return r;
}

OutboundRequest GithubLogin::user_request(std::string_view access_token) const {
  OutboundRequest r;
  r.url = config_.api_base_url + "/user";
  r.headers = {{"Authorization", "Bearer " + std::string(access_token)},
               {"Accept", "application/json"},
               {"User-Agent", "parley"}};
  return r;
}

OutboundRequest GithubLogin::revoke_request(std::string_view access_token) const {
  OutboundRequest r;
  r.method = "DELETE";
  r.url = config_.api_base_url + "/applications/" + url_encode(config_.client_id) + "/token";
  r.headers = {{"Authorization", "Basic " + base64_encode(config_.client_id + ":" + config_.client_secret)},
               {"Accept", "application/vnd.github+json"},
               {"Content-Type", "application/json"},
               {"User-Agent", "parley"}};
  r.body = json::serialize(json::object{{"access_token", access_token}});
  return r;
}

GithubLogin::Callback GithubLogin::callback(const QueryParams& query, std::string_view cookie_header,
                                            std::int64_t now) {
  Callback out;
  // The nonce is consumed first, so that every callback presenting it uses it up.
  const auto state = query_value(query, "state");
  std::optional<LoginFlow::Checked> checked;
  if (state) checked = flow_.check(kProvider, *state, cookie_header, now);

  if (const auto error = query_value(query, "error")) {
    const auto description = query_value(query, "error_description").value_or("");
    out.reply = json_error(400, std::string(*error) + ": " + std::string(description));
    return out;
  }
  if (!checked) {
    out.reply = json_error(400, "missing state");
    return out;
  }
  if (checked->error) {
    out.reply = *checked->error;
    return out;
  }
  const auto code = query_value(query, "code");
  if (!code) {
    out.reply = json_error(401, "missing code");
    return out;
  }

  const auto token_resp = http_.perform(token_request(*code));
  if (!token_resp.ok) {
    spdlog::warn("github login: token exchange failed: {}", token_resp.error);
    out.reply = json_error(502, "Upstream returned error");
    return out;
  }
  const auto token_json = parse_object(token_resp.body);
  const std::string access_token = token_json ? string_field(*token_json, "access_token") : std::string{};
  if (!token_json || token_json->contains("error") || access_token.empty()) {
    spdlog::warn("github login: token exchange refused (HTTP {}, error {})", token_resp.status,
                 token_json ? string_field(*token_json, "error") : std::string("<not JSON>"));
    out.reply = json_error(401, "failed to exchange the code for a token");
    return out;
  }
  out.revoke = revoke_request(access_token);  // from here on, whatever happens

  const auto user_resp = http_.perform(user_request(access_token));
  if (!user_resp.ok) {
    spdlog::warn("github login: /user failed: {}", user_resp.error);
    out.reply = json_error(502, "Upstream returned error");
    return out;
  }
  const auto user_json = parse_object(user_resp.body);
  const json::value* id = user_json ? user_json->if_contains("id") : nullptr;
  std::optional<std::int64_t> github_id;
  if (user_resp.status == 200 && id) {
    if (id->is_int64() && id->as_int64() > 0) github_id = id->as_int64();
    if (id->is_uint64() && id->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      github_id = static_cast<std::int64_t>(id->as_uint64());
  }
  if (!github_id) {
    spdlog::warn("github login: /user answered HTTP {} without a usable id", user_resp.status);
    out.reply = json_error(401, "failed to get the GitHub user");
    return out;
  }
  const auto account = accounts_.github(*github_id, string_field(*user_json, "login"), string_field(*user_json, "name"),
                                        string_field(*user_json, "avatar_url"), now);
  if (!account.user) {
    out.reply = json_error(400, account.error);
    return out;
  }
  spdlog::info("github login: user {} (GitHub id {})", account.user->username, *github_id);
  out.reply = flow_.finish(*checked, account.user->id, now);
  return out;
}

}  // namespace parley::accounts
