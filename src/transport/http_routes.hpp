#pragma once
// The HTTP API (§3.2) at the root and under /api, with CORS (§3.9). Thin: each handler asks core
// and formats the answer. Static files and /servers.json come after the API in precedence.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "signalling/identity.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/http_types.hpp"
#include "transport/server_config.hpp"
#include "transport/static_files.hpp"
#include "transport/transport_metrics.hpp"

namespace parley::transport {

class WsHub;

struct RouteRequest {
  const Request& http;
  std::string_view path;   // API path without the /api prefix
  std::map<std::string, std::string, std::less<>> query;  // decoded parameters
};

// Routes answer with the plain reply value; HttpRoutes converts it (to_response) and adds CORS.
using RouteHandler = std::function<protocol::HttpReply(const RouteRequest&)>;

// Called once with the answer; `after_write` (may be empty) runs once it has been written.
using Respond = std::function<void(protocol::HttpReply reply, std::function<void()> after_write)>;
// A route whose answer may come later (work on another thread). The request stays alive until
// `respond` has been called; `respond` must be called on the I/O thread.
using AsyncRouteHandler = std::function<void(const RouteRequest&, Respond respond)>;
// What HttpRoutes::handle hands back to the session.
using Done = std::function<void(Response response, std::function<void()> after_write)>;

class HttpRoutes {
public:
  // `identities` decides who calls `/conns` (the same resolver as the WebSocket handshake).
  HttpRoutes(const ServerConfig& config, signalling::SignallingService& service, WsHub& hub,
             const signalling::IdentityResolver& identities);

  // Registers an API route for both `path` and `/api<path>`; `methods` e.g. "GET, HEAD".
  void add(std::string path, std::string methods, RouteHandler handler);
  void add_async(std::string path, std::string methods, AsyncRouteHandler handler);
  // Answers `req` through `done`, now or later (async routes); `req` must outlive that call.
  void handle(const Request& req, Done done) const;

  // The request's Origin may read responses (allow-listed or same origin).
  bool origin_allowed(const Request& req) const;
  // The transport's counters (/metrics), for routes that count their outcomes.
  TransportMetrics& metrics();

private:
  struct Route {
    std::string methods;
    RouteHandler handler;
    AsyncRouteHandler async_handler;  // set instead of `handler` for async routes
  };
  void add_cors_headers(const Request& req, http::header<false>& h) const;
  // A synchronous answer, or nullopt once an async route has taken over `done`.
  std::optional<Response> dispatch(const Request& req, Done& done) const;

  const ServerConfig& config_;
  signalling::SignallingService& service_;
  const signalling::IdentityResolver& identities_;
  WsHub& hub_;
  StaticFiles static_files_;
  std::map<std::string, Route, std::less<>> routes_;
};

bool method_listed(std::string_view methods, http::verb verb);

}  // namespace parley::transport
