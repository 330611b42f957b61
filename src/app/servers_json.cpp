#include "app/servers_json.hpp"

#include "protocol/json_writer.hpp"

namespace parley::app {

std::string render_servers_json(const ServersJsonConfig& c) {
  std::string out;
  protocol::JsonWriter w(out);
  w.begin_array().begin_object();
  w.member("url", c.api_prefix + c.ws_path).member("name", c.server_name).member("id", "main");
  // An empty list makes the original web client's RTCPeerConnection throw, so keep one entry.
  w.key("iceServers").begin_array();
  if (c.ice_servers.empty()) w.value("stun:stun.l.google.com:19302");
  for (const auto& s : c.ice_servers) w.value(s);
  w.end_array();
  if (!c.ice_servers_endpoint.empty()) w.member("iceServersEndpoint", c.ice_servers_endpoint);
  w.member("apiPrefix", c.api_prefix);
  w.key("idp").begin_array();
  for (const auto& p : c.login_providers) {
    w.begin_object().member("name", p.name).member("kind", p.kind);
    if (!p.display_name.empty()) w.member("displayName", p.display_name);
    w.member("loginUrl", p.login_url).end_object();
  }
  w.end_array();
  w.member("allowAnonymous", c.allow_anonymous);
  w.end_object().end_array();
  return out;
}

}  // namespace parley::app
