#include "protocol/server_frames.hpp"

#include "protocol/json_writer.hpp"

namespace parley::protocol {

namespace {
std::string node_ref_frame(std::string_view key, std::string_view node_id) {
  std::string out;
  JsonWriter(out).begin_object().key(key).begin_object().member("node_id", node_id).end_object().end_object();
  return out;
}
}  // namespace

std::string encode_online(std::string_view node_id) { return node_ref_frame("online", node_id); }
std::string encode_offline(std::string_view node_id) { return node_ref_frame("offline", node_id); }

std::string encode_register_reply(std::string_view node_id, std::string_view final_name, std::string_view turn_ticket) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("node_id", node_id);
  w.key("register").begin_object().member("node_name", final_name).end_object();
  if (!turn_ticket.empty()) w.member("turn_ticket", turn_ticket);
  w.end_object();
  return out;
}

std::string encode_pong(std::string_view node_id, const EchoPayload& ping, std::int64_t server_ms) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("node_id", node_id).key("echo").begin_object();
  w.member("direction", "pong").member("correlation_id", ping.correlation_id);
  w.member("server_timestamp", server_ms).member("timestamp", ping.timestamp).member("seq_id", ping.seq_id);
  w.end_object().end_object();
  return out;
}

std::string encode_rename_broadcast(std::string_view node_id, std::string_view final_name,
                                    std::optional<std::int64_t> color, std::string_view origin_name) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("rename").begin_object();
  w.key("new_preference").begin_object().member("name", final_name);
  if (color) w.member("indexOfPreferColor", *color);
  w.end_object();
  w.member("origin_node_name", origin_name).member("node_id", node_id);
  w.end_object().end_object();
  return out;
}

std::string encode_sdp_relay(const SdpOffer& offer, std::string_view from_node_id) {
  std::string out;
  out.reserve(offer.offer_json.size() + 160);
  JsonWriter w(out);
  w.begin_object().key("sdp_offer").begin_object();
  w.member("type", offer.type).member("offer_json", offer.offer_json);
  w.member("from_node_id", from_node_id).member("to_node_id", offer.to_node_id);
  w.end_object().end_object();
  return out;
}

std::string encode_ice_relay(const IceOffer& offer, std::string_view from_node_id) {
  std::string out;
  out.reserve(offer.offer_json.size() + 140);
  JsonWriter w(out);
  w.begin_object().key("ice_offer").begin_object();
  w.member("offer_json", offer.offer_json);
  w.member("from_node_id", from_node_id).member("to_node_id", offer.to_node_id);
  w.end_object().end_object();
  return out;
}

std::string encode_error(std::string_view code, std::string_view message, const std::optional<std::string>& ref) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("error").begin_object().member("code", code).member("message", message).key("ref");
  if (ref) w.value(*ref); else w.null();
  w.end_object().end_object();
  return out;
}

}  // namespace parley::protocol
