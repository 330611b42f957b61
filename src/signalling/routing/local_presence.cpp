#include "signalling/routing/local_presence.hpp"

#include "protocol/json_writer.hpp"
#include "protocol/server_frames.hpp"

namespace parley::signalling {
namespace proto = parley::protocol;

void LocalPresence::tell_viewers(const Connection& subject, const SharedPresence& event) {
  for (const auto& [id, viewer] : members_)
    if (policy_.sees(viewer->identity, subject)) viewer->sink->send_presence(event);
}

void LocalPresence::announce(const Connection& c) {
  members_[c.node_id] = &c;
  tell_viewers(c, make_presence(c.node_id, PresenceKind::online, proto::encode_online(c.node_id)));
}

void LocalPresence::update(const Connection& c, std::optional<std::int64_t> colour, std::string_view previous_name) {
  tell_viewers(c, make_presence(c.node_id, PresenceKind::rename,
                                proto::encode_rename_broadcast(c.node_id, c.name, colour, previous_name)));

}

void LocalPresence::withdraw(const Connection& c) {
  if (members_.erase(c.node_id) == 0) return;
  tell_viewers(c, make_presence(c.node_id, PresenceKind::offline, proto::encode_offline(c.node_id)));
}

std::string LocalPresence::list(const Identity& viewer) const {
  std::string out;
  out.reserve(64 + members_.size() * 256);
  proto::JsonWriter w(out);
  w.begin_object();
  for (const auto& [id, c] : members_) {
    if (!policy_.sees(viewer, *c)) continue;
    w.key(c->node_id).begin_object();
    w.member("node_name", c->name).member("connected_at", c->connected_at).member("registered_at", c->registered_at);
    if (c->last_heartbeat != 0) w.member("last_heartbeat", c->last_heartbeat);
    if (!c->attributes.empty()) {
      w.key("attributes").begin_object();
      for (const auto& [k, v] : c->attributes) w.member(k, v);
      w.end_object();
    }
    w.member("authentication", to_string(c->identity.authentication));
    if (c->identity.authentication != Authentication::none) {
      w.member("username", c->identity.username);
      w.member("is_bot", c->identity.is_bot);
    }
    w.end_object();
  }
  w.end_object();
  return out;
}

}  // namespace parley::signalling
