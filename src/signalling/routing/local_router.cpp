#include "signalling/routing/local_router.hpp"

namespace parley::signalling {

void LocalRouter::deliver(const std::string& to_node_id, const SharedFrame& frame, const RelaySender& from,
                          UnknownPeerHandler& on_unknown) {
  auto it = sinks_.find(to_node_id);
  if (it == sinks_.end()) return on_unknown.on_unknown_peer(std::string(from.node_id), from.ref);
  it->second->send(frame);
}

}  // namespace parley::signalling
