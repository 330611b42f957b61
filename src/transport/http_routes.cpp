#include "transport/http_routes.hpp"

#include <boost/url/parse.hpp>

#include "protocol/json_writer.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {

namespace {

bool is_api_path(std::string_view path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

}  // namespace

bool method_listed(std::string_view methods, http::verb verb) {
  const auto name = http::to_string(verb);
  std::size_t pos = 0;
  while (pos < methods.size()) {
    auto end = methods.find(',', pos);
    if (end == std::string_view::npos) end = methods.size();
    auto item = methods.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item == name) return true;
    pos = end + 1;
  }
  return false;
}

HttpRoutes::HttpRoutes(const ServerConfig& config, signalling::SignallingService& service, WsHub& hub,
                       const signalling::IdentityResolver& identities)
    : config_(config), service_(service), identities_(identities), hub_(hub), static_files_(config.web_root) {
  add("/healthz", "GET, HEAD", [this](const RouteRequest&) {
    std::string body;
    protocol::JsonWriter(body).begin_object().member("status", "ok")
        .member("connections", static_cast<std::int64_t>(hub_.size()))
        .member("registered", static_cast<std::int64_t>(service_.registry().registered_count())).end_object();
    return protocol::json_reply(std::move(body));
  });
  // Public, but a bearer token that is present and invalid is refused (§3.1). The list is what
  // this caller may see (presence policy).
  add("/conns", "GET, HEAD", [this](const RouteRequest& r) {
    const auto caller = identities_.resolve(r.http[http::field::authorization], r.http[http::field::cookie]);
    if (caller.unavailable) return protocol::json_error(503, "accounts unavailable");
    if (caller.invalid_token) return protocol::json_error(401, "invalid token");
    return protocol::json_reply(service_.presence().list(caller.identity));
  });
  // Not the web client's SPA fallback: 404 unless install_metrics_route replaces it (--metrics),
  // so internal counters are never public by accident (docs/METRICS.md).
  add("/metrics", "GET, HEAD", [](const RouteRequest&) { return protocol::json_error(404, "not found"); });
  // The account routes (profile, avatar, logout, logins) are added by AccountRoutes.
}

TransportMetrics& HttpRoutes::metrics() { return hub_.metrics(); }

void HttpRoutes::add(std::string path, std::string methods, RouteHandler handler) {
  routes_[std::move(path)] = Route{std::move(methods), std::move(handler), {}};
}

void HttpRoutes::add_async(std::string path, std::string methods, AsyncRouteHandler handler) {
  routes_[std::move(path)] = Route{std::move(methods), {}, std::move(handler)};
}

bool HttpRoutes::origin_allowed(const Request& req) const {
  const auto origin = req[http::field::origin];
  return config_.origins.is_allow_listed(origin) || transport::OriginPolicy::is_same_origin(origin, req[http::field::host]);
}

void HttpRoutes::add_cors_headers(const Request& req, http::header<false>& h) const {
  if (!config_.cors || !req.count(http::field::origin)) return;
  const auto origin = req[http::field::origin];
  if (!config_.origins.is_allow_listed(origin)) return;  // same-origin requests need no CORS
  h.set(http::field::access_control_allow_origin, origin);
  h.set(http::field::access_control_allow_credentials, "true");
  h.set(http::field::vary, "Origin");
}

void HttpRoutes::handle(const Request& req, Done done) const {
  if (req.method() == http::verb::options && config_.cors) {
    if (!req.count(http::field::origin) || !config_.origins.is_allow_listed(req[http::field::origin]))
      return done(to_response(protocol::json_error(403, "origin not allowed"), req), {});
    StringResponse res{http::status::no_content, req.version()};
    add_cors_headers(req, res.base());
    res.set(http::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
    res.set(http::field::access_control_allow_headers, "Content-Type, Authorization, X-Parley-Turn-Ticket");
    res.set(http::field::access_control_max_age, "600");
    res.keep_alive(req.keep_alive());
    return done(std::move(res), {});
  }
  if (auto res = dispatch(req, done)) {
    std::visit([&](auto& r) { add_cors_headers(req, r.base()); }, *res);
    done(std::move(*res), {});
  }
}

std::optional<Response> HttpRoutes::dispatch(const Request& req, Done& done) const {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) return to_response(protocol::json_error(400, "bad request target"), req);
  std::string path = target->path();  // percent-decoded
  const bool api = is_api_path(path);
  std::string_view route_path = path;
  if (api) route_path.remove_prefix(4);

  if (const auto it = routes_.find(route_path.empty() ? "/" : route_path); it != routes_.end()) {
    if (!method_listed(it->second.methods, req.method()))
      return to_response(protocol::method_not_allowed(it->second.methods), req);
    RouteRequest r{req, route_path, {}};
    for (const auto& p : target->params()) r.query.emplace(p.key, p.value);
    if (!it->second.async_handler) return to_response(it->second.handler(r), req);
    it->second.async_handler(r, [this, &req, done = std::move(done)](protocol::HttpReply reply, std::function<void()> after) {
      auto res = to_response(reply, req);
      add_cors_headers(req, res.base());
      done(std::move(res), std::move(after));
    });
    return std::nullopt;
  }
  if (route_path == config_.ws_path)
    return to_response(protocol::json_error(426, "expected a WebSocket upgrade"), req);
  if (api) return to_response(protocol::json_error(404, "not found"), req);
  if (path == "/servers.json") {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return to_response(protocol::method_not_allowed("GET, HEAD"), req);
    auto reply = protocol::json_reply(config_.servers_json);
    reply.set_header("Cache-Control", "no-cache");
    return to_response(reply, req);
  }
  return static_files_.serve(req, path);
}

}  // namespace parley::transport
