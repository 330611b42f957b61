#include "accounts/http/accounts_http.hpp"

#include <spdlog/spdlog.h>

#include <array>

namespace parley::accounts {

namespace {

constexpr std::array<std::string_view, 9> kPaths = {
    "/profile",           "/profile/status",     "/profile/avatar",      "/logout",
    "/kioubit/login/delete", "/github/login/start", "/github/login/auth", "/kioubit/login/start",
    "/kioubit/login/auth"};

AccountRoute ready(HttpReply reply) { return AccountRoute{AccountReply{std::move(reply), std::nullopt}, {}}; }

std::string current_page(const QueryParams& q) { return std::string(query_value(q, "current_page").value_or("")); }

}  // namespace

bool AccountsHttpApi::is_account_path(std::string_view path) {
  for (auto p : kPaths)
    if (p == path) return true;
  return false;
}

std::optional<AccountRoute> AccountsHttpApi::route(const AccountRequest& req, std::int64_t now_ms) {
  if (!is_account_path(req.path)) return std::nullopt;  // skip parsing the query of other routes
  return route(req, parse_query(req.query), now_ms);
}

std::optional<AccountRoute> AccountsHttpApi::route(const AccountRequest& req, const QueryParams& query,
                                                   std::int64_t now_ms) {
  const std::string_view path = req.path;
  if (!is_account_path(path)) return std::nullopt;
  if (path.starts_with("/github/") && !accounts_.github()) return std::nullopt;
  if ((path == "/kioubit/login/start" || path == "/kioubit/login/auth") && !accounts_.kioubit()) return std::nullopt;

  const bool post_route = path == "/logout" || path == "/kioubit/login/delete";
  const bool is_read = req.method == "GET" || req.method == "HEAD";
  if (post_route && req.method != "POST") return ready(method_not_allowed("POST"));
  if (!post_route && !is_read) return ready(method_not_allowed("GET, HEAD"));

  const std::int64_t now = now_ms / 1000;

  if (post_route) {  // logout never needs an identity: it deletes whatever session the cookie names
    HttpReply r;
    r.status = 200;
    r.headers = {{"Set-Cookie", accounts_.sessions().logout(req.cookie)}, {"Cache-Control", "no-store"}};
    return ready(std::move(r));
  }
  if (path == "/github/login/start") return ready(accounts_.github()->start(req.cookie, current_page(query), now));
  if (path == "/kioubit/login/start") return ready(accounts_.kioubit()->start(req.cookie, current_page(query), now));
  if (path == "/kioubit/login/auth")
    return ready(accounts_.kioubit()->callback(query, req.cookie, static_cast<double>(now_ms) / 1000.0));
  if (path == "/github/login/auth") {
    GithubLogin* gh = accounts_.github();
    AccountRoute r;
    r.blocking = [gh, query, cookie = std::string(req.cookie), now] {
      auto cb = gh->callback(query, cookie, now);
      return AccountReply{std::move(cb.reply), std::move(cb.revoke)};
    };
    return r;
  }

  // Profile routes: who is asking.
  const Caller caller = accounts_.authenticator().resolve(req.authorization, req.cookie, now);
  if (caller.bearer_rejected) {
    spdlog::info("{}: bearer token refused ({})", path, to_string(caller.bearer_error));
    return ready(invalid_token_reply());
  }
  if (path == "/profile") return ready(accounts_.profiles().profile(caller, query));
  if (path == "/profile/status") return ready(accounts_.profiles().status(caller));

  auto plan = accounts_.profiles().avatar(caller, query);  // "/profile/avatar"
  if (plan.reply) return ready(std::move(*plan.reply));
  if (auto hit = accounts_.avatars().cached(plan.remote_url, now)) return ready(std::move(*hit));
  AvatarFetcher* fetcher = &accounts_.avatars();
  AccountRoute r;
  r.blocking = [fetcher, url = std::move(plan.remote_url), now] {
    return AccountReply{fetcher->fetch(url, now), std::nullopt};
  };
  return r;
}

}  // namespace parley::accounts
