#pragma once
// Delivery of frames to registered connections by node id (§2.9). The signalling logic only
// talks to this interface, so that a Redis-backed router can share presence and routing between
// several servers without touching sessions. Frames from one sender to one target keep order.
#include <string>

#include "signalling/frame_sink.hpp"

namespace parley::signalling {

class Router {
public:
  virtual ~Router() = default;
  // A local connection became reachable (its first register) or left.
  virtual void attach(const std::string& node_id, FrameSink& sink) = 0;
  virtual void detach(const std::string& node_id) = 0;
  // Returns false if no registered connection has that id.
  virtual bool deliver(const std::string& to_node_id, const SharedFrame& frame) = 0;
  // A presence change to every registered connection, except `except_node_id` when non-empty.
  virtual void broadcast(const SharedPresence& event, const std::string& except_node_id = {}) = 0;
};

}  // namespace parley::signalling
