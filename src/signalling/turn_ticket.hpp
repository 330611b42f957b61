#pragma once
// A registered connection's proof, for GET /ice-servers: "<node id>.<hex HMAC-SHA256 of the node id
// under a key made at start>". Sent once in the register reply (top-level `turn_ticket`,
// PROTOCOL §2.4 style), so a visitor without an account can fetch TURN credentials while its
// WebSocket is registered, and nobody can mint one for a node id read from /conns.
#include <optional>
#include <string>
#include <string_view>

namespace parley::signalling {

class TurnTickets {
public:
  TurnTickets();  // a fresh random key: tickets do not survive a restart, nor do connections
  std::string issue(std::string_view node_id) const;
  // The node id the ticket was issued for, if it is one of ours.
  std::optional<std::string> node_of(std::string_view ticket) const;

private:
  std::string key_;
  std::string mac(std::string_view node_id) const;
};

}  // namespace parley::signalling
