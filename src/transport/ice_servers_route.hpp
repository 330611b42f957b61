#pragma once
// GET /ice-servers (PROTOCOL §3.11, docs/PROTOCOL-EXTENSIONS.md): TURN credentials, only for
// callers this server knows — a bot or user (JWT bearer, or a session cookie of a signed-in
// user), or a visitor whose WebSocket is registered now (its `turn_ticket` in the header
// `X-Parley-Turn-Ticket`). Anyone else gets 401; each caller is rate limited (429).
#include <cstdint>
#include <string>
#include <unordered_map>

#include "accounts/turn_credentials.hpp"
#include "signalling/clock.hpp"
#include "signalling/identity.hpp"
#include "signalling/rate_limit.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/http_routes.hpp"

namespace parley::transport {

inline constexpr std::string_view kTurnTicketHeader = "X-Parley-Turn-Ticket";

class IceServersRoute {
public:
  IceServersRoute(accounts::TurnConfig config, signalling::SignallingService& service,
                  const signalling::IdentityResolver& identities, const signalling::Clock& clock);
  void install(HttpRoutes& routes);

private:
  protocol::HttpReply answer(const RouteRequest& r);
  bool allowed(const std::string& who);

  accounts::TurnConfig config_;
  signalling::SignallingService& service_;
  const signalling::IdentityResolver& identities_;
  const signalling::Clock& clock_;
  // Per caller; bounded: when full it starts afresh (a flood of distinct callers costs them nothing).
  std::unordered_map<std::string, signalling::TokenBucket> buckets_;
};

}  // namespace parley::transport
