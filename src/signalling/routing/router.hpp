#pragma once
// One-to-one delivery of relayed frames by node id (§2.9). The signalling logic only talks to
// this interface, so a Redis-backed router can route between several servers without touching
// sessions. Frames from one sender to one target keep their order. Presence (who is online, and
// telling viewers) is not routing: see presence.hpp.
#include <string>
#include <string_view>

#include "signalling/frame_sink.hpp"

namespace parley::signalling {

// Told that a relayed frame found no registered target. A remote router may learn that only
// after deliver() returned, when the sender may have gone: handlers look the sender up again.
class UnknownPeerHandler {
public:
  virtual ~UnknownPeerHandler() = default;
  virtual void on_unknown_peer(const std::string& from_node_id, const char* ref) = 0;
};

// Who relayed a frame, and which field named the target (the error's `ref`). Valid during
// deliver() only: a router that answers later copies what it needs.
struct RelaySender {
  std::string_view node_id;
  const char* ref;
};

class Router {
public:
  virtual ~Router() = default;
  // A local connection became reachable (its first register) or left.
  virtual void attach(const std::string& node_id, FrameSink& sink) = 0;
  virtual void detach(const std::string& node_id) = 0;
  // Delivers `frame` to the registered connection `to_node_id`, or tells `on_unknown`.
  virtual void deliver(const std::string& to_node_id, const SharedFrame& frame, const RelaySender& from,
                       UnknownPeerHandler& on_unknown) = 0;
};

}  // namespace parley::signalling
