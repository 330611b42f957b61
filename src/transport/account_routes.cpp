#include "transport/account_routes.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "accounts/caller.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::transport {
namespace asio = boost::asio;

namespace {

bool is_logout(std::string_view path) { return path == "/logout" || path == "/kioubit/login/delete"; }

// The login callbacks, whose answers are counted by result (/metrics).
std::optional<LoginProvider> login_callback(std::string_view path) {
  if (path == "/github/login/auth") return LoginProvider::github;
  if (path == "/kioubit/login/auth") return LoginProvider::kioubit;
  return std::nullopt;
}

// A storage failure (disk full, corrupt database) or a bug: logged, answered 500, server goes on.
// Only the path is logged: the query may hold an OAuth code or a login nonce.
accounts::AccountReply internal_error(std::string_view path, const std::exception& e) {
  const bool storage = dynamic_cast<const storage::StorageError*>(&e) != nullptr;
  spdlog::error("{}: {}{}", path, storage ? "storage error: " : "", e.what());
  return accounts::AccountReply{accounts::json_error(500, "internal error"), std::nullopt};
}

}  // namespace

AccountRoutes::AccountRoutes(asio::io_context& io, asio::thread_pool& pool, accounts::Accounts& accounts,
                             const signalling::Clock& clock)
    : io_(io), pool_(pool), accounts_(accounts), api_(accounts), clock_(clock) {}

void AccountRoutes::install(HttpRoutes& routes) {
  const bool github = accounts_.github() != nullptr;
  const bool kioubit = accounts_.kioubit() != nullptr;
  const std::pair<const char*, const char*> table[] = {
      {"/profile", "GET, HEAD"},          {"/profile/status", "GET, HEAD"},
      {"/profile/avatar", "GET, HEAD"},   {"/logout", "POST"},
      {"/kioubit/login/delete", "POST"},  {"/github/login/start", "GET, HEAD"},
      {"/github/login/auth", "GET, HEAD"}, {"/kioubit/login/start", "GET, HEAD"},
      {"/kioubit/login/auth", "GET, HEAD"}};
  for (const auto& [path, methods] : table) {
    const std::string_view p = path;
    const bool kioubit_login = p.starts_with("/kioubit/login/") && p != "/kioubit/login/delete";
    if ((p.starts_with("/github/") && !github) || (kioubit_login && !kioubit)) continue;  // not configured: 404
    if (const auto provider = login_callback(p)) {
      auto& counters = routes.metrics().logins[static_cast<std::size_t>(*provider)];
      routes.add_async(path, methods, [this, &routes, &counters](const RouteRequest& r, Respond respond) {
        serve(routes, r, [&counters, respond = std::move(respond)](protocol::HttpReply reply, std::function<void()> after) {
          counters.inc(login_result(reply.status));
          respond(std::move(reply), std::move(after));
        });
      });
      continue;
    }
    routes.add_async(path, methods,
                     [this, &routes](const RouteRequest& r, Respond respond) { serve(routes, r, std::move(respond)); });
  }
}

void AccountRoutes::serve(const HttpRoutes& routes, const RouteRequest& r, Respond respond) {
  const Request& req = r.http;
  // CSRF (§3.6): a cross-site form or fetch must not log the user out.
  if (is_logout(r.path) && req.count(http::field::origin) && !routes.origin_allowed(req))
    return respond(protocol::json_error(403, "origin not allowed"), {});

  const std::string method(req.method_string());
  const accounts::AccountRequest ar{method, r.path, "", req[http::field::authorization], req[http::field::cookie]};
  std::optional<accounts::AccountRoute> route;
  try {
    route = api_.route(ar, r.query, clock_.unix_ms());
  } catch (const std::exception& e) {
    return answer(internal_error(r.path, e), respond);
  }
  if (!route) return respond(protocol::json_error(404, "not found"), {});
  if (route->ready) return answer(std::move(*route->ready), respond);
  run_blocking(std::string(r.path), std::move(route->blocking), std::move(respond));
}

void AccountRoutes::run_blocking(std::string path, std::function<accounts::AccountReply()> job,
                                 Respond respond) {
  asio::post(pool_, [this, path = std::move(path), job = std::move(job),
                     respond = std::move(respond)]() mutable {
    accounts::AccountReply reply;
    try {
      reply = job();
    } catch (const std::exception& e) {
      reply = internal_error(path, e);
    }
    // Move `respond` out: the session it holds must be released on the I/O thread, not here.
    asio::post(io_, [this, reply = std::move(reply), respond = std::move(respond)]() mutable {
      answer(std::move(reply), respond);
    });
  });
}

void AccountRoutes::answer(accounts::AccountReply reply, const Respond& respond) {
  std::function<void()> after_write;
  if (reply.after) {
    // GitHub token revocation (§4.2 step 8): after the answer, off the I/O thread, result only logged.
    after_write = [this, request = std::move(*reply.after)] {
      asio::post(pool_, [this, request] {
        const auto res = accounts_.http().perform(request);
        if (!res.ok) spdlog::warn("GitHub token revocation failed: {}", res.error);
        else if (res.status != 204 && res.status != 200) spdlog::warn("GitHub token revocation: HTTP {}", res.status);
      });
    };
  }
  respond(std::move(reply.reply), std::move(after_write));
}

}  // namespace parley::transport
