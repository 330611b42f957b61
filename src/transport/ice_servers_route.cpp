#include "transport/ice_servers_route.hpp"

namespace parley::transport {
namespace {
// A client asks before each connection but reuses credentials for half their lifetime
// (web client: iceCredentials.ts; bots: renewal at half the TTL): 20 at once, then one per 6 s.
constexpr double kRatePerSecond = 1.0 / 6.0;
constexpr double kBurst = 20;
constexpr std::size_t kMaxCallers = 10'000;
}  // namespace

IceServersRoute::IceServersRoute(accounts::TurnConfig config, signalling::SignallingService& service,
                                 const signalling::IdentityResolver& identities, const signalling::Clock& clock)
    : config_(std::move(config)), service_(service), identities_(identities), clock_(clock) {}

void IceServersRoute::install(HttpRoutes& routes) {
  routes.add("/ice-servers", "GET, HEAD", [this](const RouteRequest& r) { return answer(r); });
}

bool IceServersRoute::allowed(const std::string& who) {
  const auto now = clock_.steady_ms();
  auto it = buckets_.find(who);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxCallers) buckets_.clear();
    it = buckets_.emplace(who, signalling::TokenBucket(kRatePerSecond, kBurst, now)).first;
  }
  return it->second.try_take(now);
}

protocol::HttpReply IceServersRoute::answer(const RouteRequest& r) {
  std::string who;
  if (const auto ticket = r.http[kTurnTicketHeader]; !ticket.empty()) {
    const auto node = service_.registered_node_of(ticket);
    if (!node) return protocol::json_error(401, "turn ticket unknown or its connection is gone");
    who = *node;
  } else {
    const auto caller = identities_.resolve(r.http[http::field::authorization], r.http[http::field::cookie]);
    if (caller.unavailable) return protocol::json_error(503, "accounts unavailable");
    if (caller.invalid_token) return protocol::json_error(401, "invalid token");
    if (caller.identity.authentication == signalling::Authentication::none)
      return protocol::json_error(401, "TURN credentials need a signed-in user, a bot token or a registered connection's turn_ticket");
    who = caller.identity.username;
  }
  if (!allowed(who)) return protocol::json_error(429, "too many requests for TURN credentials");
  auto credential = accounts::issue_turn_credential(config_, clock_.unix_s(), who);
  return protocol::json_reply(accounts::ice_servers_json(credential));  // carries Cache-Control: no-store
}

}  // namespace parley::transport
