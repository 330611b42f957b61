#include "signalling/registry.hpp"


namespace parley::signalling {

const char* to_string(Authentication a) {
  switch (a) {
    case Authentication::jwt: return "jwt";
    case Authentication::session: return "session";
    case Authentication::none: break;
  }
  return "none";
}

Connection& Registry::add(std::unique_ptr<Connection> connection) {
  auto& slot = connections_[connection->node_id];
  slot = std::move(connection);
  return *slot;
}

void Registry::remove(const std::string& node_id) {
  auto it = connections_.find(node_id);
  if (it == connections_.end()) return;
  if (it->second->registered) --registered_;
  connections_.erase(it);
}

Connection* Registry::find(const std::string& node_id) {
  auto it = connections_.find(node_id);
  return it == connections_.end() ? nullptr : it->second.get();
}

void Registry::mark_registered(Connection& c) {
  if (!c.registered) {
    c.registered = true;
    ++registered_;
  }
}

}  // namespace parley::signalling
