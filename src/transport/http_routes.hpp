#pragma once
// The HTTP API (§3.2) at the root and under /api, with CORS (§3.9). Thin: each handler asks core
// and formats the answer. Static files and /servers.json come after the API in precedence.
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/signalling_service.hpp"
#include "transport/http_types.hpp"
#include "transport/server_config.hpp"
#include "transport/static_files.hpp"

namespace parley::transport {

class WsHub;

struct RouteRequest {
  const Request& http;
  std::string_view path;   // API path without the /api prefix
  std::map<std::string, std::string, std::less<>> query;  // decoded parameters
};

using RouteHandler = std::function<StringResponse(const RouteRequest&)>;

class HttpRoutes {
public:
  HttpRoutes(const ServerConfig& config, core::SignallingService& service, WsHub& hub);

  // Registers an API route for both `path` and `/api<path>`; `methods` e.g. "GET, HEAD".
  void add(std::string path, std::string methods, RouteHandler handler);
  Response handle(const Request& req) const;

  // The request's Origin may read responses (allow-listed or same origin).
  bool origin_allowed(const Request& req) const;

private:
  struct Route {
    std::string methods;
    RouteHandler handler;
  };
  void add_cors_headers(const Request& req, http::header<false>& h) const;
  Response dispatch(const Request& req) const;

  const ServerConfig& config_;
  core::SignallingService& service_;
  WsHub& hub_;
  StaticFiles static_files_;
  std::map<std::string, Route, std::less<>> routes_;
};

bool method_listed(std::string_view methods, http::verb verb);

}  // namespace parley::transport
