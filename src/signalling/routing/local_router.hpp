#pragma once
// The in-process Router: one server, one map.
#include <unordered_map>

#include "signalling/routing/router.hpp"

namespace parley::signalling {

class LocalRouter final : public Router {
public:
  void attach(const std::string& node_id, FrameSink& sink) override { sinks_[node_id] = &sink; }
  void detach(const std::string& node_id) override { sinks_.erase(node_id); }
  bool deliver(const std::string& to_node_id, const SharedFrame& frame) override;
  void broadcast(const SharedPresence& event, const std::string& except_node_id) override;
  std::size_t size() const { return sinks_.size(); }

private:
  std::unordered_map<std::string, FrameSink*> sinks_;
};

}  // namespace parley::signalling
