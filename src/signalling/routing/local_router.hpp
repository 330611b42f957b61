#pragma once
// The in-process Router: one server, one map. Unknown targets are reported at once.
#include <unordered_map>

#include "signalling/routing/router.hpp"

namespace parley::signalling {

class LocalRouter final : public Router {
public:
  void attach(const std::string& node_id, FrameSink& sink) override { sinks_[node_id] = &sink; }
  void detach(const std::string& node_id) override { sinks_.erase(node_id); }
  void deliver(const std::string& to_node_id, const SharedFrame& frame, const RelaySender& from,
               UnknownPeerHandler& on_unknown) override;
  std::size_t size() const { return sinks_.size(); }

private:
  std::unordered_map<std::string, FrameSink*> sinks_;
};

}  // namespace parley::signalling
