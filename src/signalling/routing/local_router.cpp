#include "signalling/routing/local_router.hpp"

namespace parley::signalling {

bool LocalRouter::deliver(const std::string& to_node_id, const SharedFrame& frame) {
  auto it = sinks_.find(to_node_id);
  if (it == sinks_.end()) return false;
  it->second->send(frame);
  return true;
}

void LocalRouter::broadcast(const SharedPresence& event, const std::string& except_node_id) {
  for (const auto& [id, sink] : sinks_)
    if (id != except_node_id) sink->send_presence(event);
}

}  // namespace parley::signalling
