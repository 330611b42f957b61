#include "signalling/registry.hpp"

#include "protocol/json_writer.hpp"

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

std::string render_conns(const Registry& registry) {
  std::string out;
  out.reserve(64 + registry.registered_count() * 256);
  protocol::JsonWriter w(out);
  w.begin_object();
  registry.for_each([&](const Connection& c) {
    if (!c.registered) return;
    w.key(c.node_id).begin_object();
    w.member("node_name", c.name).member("connected_at", c.connected_at).member("registered_at", c.registered_at);
    if (c.last_heartbeat != 0) w.member("last_heartbeat", c.last_heartbeat);
    if (!c.attributes.empty()) {
      w.key("attributes").begin_object();
      for (const auto& [k, v] : c.attributes) w.member(k, v);
      w.end_object();
    }
    w.member("authentication", to_string(c.identity.authentication));
    if (c.identity.authentication != Authentication::none) {
      w.member("username", c.identity.username);
      w.member("is_bot", c.identity.is_bot);
    }
    w.end_object();
  });
  w.end_object();
  return out;
}

}  // namespace parley::signalling
