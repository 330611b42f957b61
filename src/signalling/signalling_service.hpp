#pragma once
// The signalling logic of §2.8–2.11, without sockets: the transport hands it decoded-or-not
// frames per connection and it answers through FrameSinks, the Router (relays) and Presence.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "signalling/abuse_penalties.hpp"
#include "signalling/clock.hpp"
#include "signalling/connection.hpp"
#include "signalling/metrics.hpp"
#include "signalling/name_policy.hpp"
#include "signalling/registry.hpp"
#include "signalling/turn_ticket.hpp"
#include "signalling/routing/presence.hpp"
#include "signalling/routing/router.hpp"

namespace parley::signalling {

struct SignallingLimits {
  std::size_t max_text_bytes = 65536;
  double rate_per_second = 20, rate_burst = 200;
  double bot_rate_per_second = 200, bot_rate_burst = 2000;
  // Registers and renames per connection: each costs a broadcast to every viewer.
  double presence_rate_per_second = 0.2, presence_burst = 5;
  int abuse_errors = 30;  // more than this many errors in the window closes the connection
  std::int64_t idle_timeout_ms = 30000;
  bool allow_anonymous = true;
  std::size_t max_attributes = 32;
  // Keys and values of one connection's attributes together: every /conns answer carries them
  // for every connection (issue 12, F8). Original clients announce about 60 bytes.
  std::size_t max_attribute_bytes = 1024;
  PenaltyLimits penalties;  // how long an address closed for abuse waits to connect again
};

class SignallingService final : private UnknownPeerHandler {
public:
  SignallingService(Router& router, Presence& presence, const ReservedNames& reserved, const Clock& clock, SignallingLimits limits);

  // A WebSocket was accepted: assigns a node id and the default name. The returned reference
  // stays valid until close().
  // `address` keys the abuse penalties (empty: the transport cannot tell this client apart).
  Connection& open(FrameSink& sink, Identity identity, std::string address = {});
  // How long (ms) a new connection from `address` must still wait after an abuse close; 0: none.
  std::int64_t penalty_ms(std::string_view address) const;
  void on_text(Connection& c, std::string_view text);
  void on_binary(Connection& c);
  void on_too_large(Connection& c);  // a text frame over max_text_bytes (and under 1 MiB)
  // A WebSocket ping or pong: it costs a frame of the rate budget like any other. Returns true
  // when a ping is to be answered.
  bool on_control_frame(Connection& c);
  // The connection ended (close, error, timeout). Sends `offline` if it was registered.
  void close(Connection& c);

  // True when the connection has passed no frame-level check for the idle timeout.
  bool idle_expired(const Connection& c) const;
  // Sends an error frame outside frame processing (e.g. invalid_token after the upgrade).
  void send_error(Connection& c, std::string_view code, std::string_view message,
                  const std::optional<std::string>& ref = std::nullopt);

  const Registry& registry() const { return registry_; }
  Registry& registry() { return registry_; }

  // With TURN credentials configured: each register reply carries a `turn_ticket` that proves the
  // registration to GET /ice-servers (turn_ticket.hpp).
  void enable_turn_tickets() { tickets_.emplace(); }
  // The node id of a ticket whose connection is registered now; nullopt otherwise.
  std::optional<std::string> registered_node_of(std::string_view ticket);
  const SignallingLimits& limits() const { return limits_; }
  const Presence& presence() const { return presence_; }
  // Counted on the I/O thread; the transport counts its own frames in (ping, pong) here too.
  SignallingMetrics& metrics() { return metrics_; }
  const SignallingMetrics& metrics() const { return metrics_; }

private:
  // Sends the error and counts it toward the abuse limit (unless exempt by §2.10).
  void fail(Connection& c, std::string_view code, std::string_view message, const std::optional<std::string>& ref);
  void count_error(Connection& c);
  // An abuse close: the connection's address waits before it may connect again.
  void penalise(const Connection& c);
  bool take_rate_token(Connection& c);
  // False (with a rate_limited error on `ref`) once the connection changes its presence too often.
  bool take_presence_token(Connection& c, const char* ref);

  void handle_register(Connection& c, const protocol::RegisterPayload& p);
  void handle_echo(Connection& c, const protocol::EchoPayload& p);
  void handle_attributes(Connection& c, const protocol::AttributesAnnouncement& p);
  void handle_rename(Connection& c, const protocol::RenamePayload& p);
  void handle_sdp(Connection& c, const protocol::SdpOffer& p);
  void handle_ice(Connection& c, const protocol::IceOffer& p);
  bool require_registered(Connection& c, const char* ref);
  // `wanted`, or its free variant; nullopt (and the connection closed, 1011) when the reserved
  // names cannot be read.
  std::optional<std::string> name_not_reserved(Connection& c, const std::string& wanted);
  // Trimmed name, or the connection's default name when empty; nullopt when invalid.
  std::optional<std::string> normalise_name(const Connection& c, std::string_view requested) const;
  std::string default_name_for(const Connection& c) const;
  bool check_relay_target(Connection& c, const std::string& to, const char* ref);
  void on_unknown_peer(const std::string& from_node_id, const char* ref) override;

  Router& router_;
  Presence& presence_;
  const ReservedNames& reserved_;
  const Clock& clock_;
  SignallingLimits limits_;
  Registry registry_;
  std::uint64_t default_name_counter_ = 0;
  SignallingMetrics metrics_;
  std::optional<TurnTickets> tickets_;
  AbusePenalties penalties_;
};

}  // namespace parley::signalling
