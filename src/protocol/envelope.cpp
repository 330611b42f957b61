#include "protocol/envelope.hpp"

#include <boost/json.hpp>
#include <limits>

#include "protocol/json_writer.hpp"

namespace parley::protocol {
namespace json = boost::json;

namespace {

// Thrown inside the decoder only; turned into a DecodeError at the boundary.
struct FieldError {
  std::string ref;
};

// Go's decoder (original bots) treats `null` as absent; so do we.
const json::value* member(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

const json::object& as_object(const json::value& v, const std::string& ref) {
  if (!v.is_object()) throw FieldError{ref};
  return v.get_object();
}

std::string read_string(const json::value& v, const std::string& ref) {
  if (!v.is_string()) throw FieldError{ref};
  return std::string(v.get_string());
}

std::int64_t read_integer(const json::value& v, const std::string& ref) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return std::numeric_limits<std::int64_t>::max();
  throw FieldError{ref};
}

template <class Fn>
void optional_member(const json::object& obj, std::string_view key, const std::string& prefix, Fn&& fn) {
  if (const auto* v = member(obj, key)) fn(*v, prefix.empty() ? std::string(key) : prefix + "." + std::string(key));
}

RegisterPayload decode_register(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  RegisterPayload out;
  optional_member(obj, "node_name", ref, [&](auto& f, auto r) { out.node_name = read_string(f, r); });
  return out;  // the legacy `token` is accepted and ignored
}

EchoPayload decode_echo(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  EchoPayload out;
  optional_member(obj, "direction", ref, [&](auto& f, auto r) { out.direction = read_string(f, r); });
  optional_member(obj, "correlation_id", ref, [&](auto& f, auto r) { out.correlation_id = read_string(f, r); });
  optional_member(obj, "server_timestamp", ref, [&](auto& f, auto r) { out.server_timestamp = read_integer(f, r); });
  optional_member(obj, "timestamp", ref, [&](auto& f, auto r) { out.timestamp = read_integer(f, r); });
  optional_member(obj, "seq_id", ref, [&](auto& f, auto r) { out.seq_id = read_integer(f, r); });
  return out;
}

AttributesAnnouncement decode_attributes(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  AttributesAnnouncement out;
  optional_member(obj, "attributes", ref, [&](auto& f, auto r) {
    const auto& attrs = as_object(f, r);
    AttributeList list;
    list.reserve(attrs.size());
    for (const auto& kv : attrs) {
      std::string key(kv.key());
      list.emplace_back(key, read_string(kv.value(), r + "." + key));
    }
    out.attributes = std::move(list);
  });
  optional_member(obj, "withdrawals", ref, [&](auto& f, auto r) {
    if (!f.is_array()) throw FieldError{r};
    std::vector<std::string> list;
    std::size_t i = 0;
    for (const auto& item : f.get_array()) list.push_back(read_string(item, r + "." + std::to_string(i++)));
    out.withdrawals = std::move(list);
  });
  return out;
}

RenamePayload decode_rename(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  RenamePayload out;
  optional_member(obj, "new_preference", ref, [&](auto& f, auto r) {
    const auto& pref = as_object(f, r);
    optional_member(pref, "name", r, [&](auto& g, auto r2) { out.new_preference.name = read_string(g, r2); });
    optional_member(pref, "indexOfPreferColor", r,
                    [&](auto& g, auto r2) { out.new_preference.index_of_prefer_color = read_integer(g, r2); });
  });
  optional_member(obj, "origin_node_name", ref, [&](auto& f, auto r) { out.origin_node_name = read_string(f, r); });
  optional_member(obj, "node_id", ref, [&](auto& f, auto r) { out.node_id = read_string(f, r); });
  return out;
}

SdpOffer decode_sdp(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  SdpOffer out;
  optional_member(obj, "type", ref, [&](auto& f, auto r) { out.type = read_string(f, r); });
  optional_member(obj, "offer_json", ref, [&](auto& f, auto r) { out.offer_json = read_string(f, r); });
  optional_member(obj, "from_node_id", ref, [&](auto& f, auto r) { out.from_node_id = read_string(f, r); });
  optional_member(obj, "to_node_id", ref, [&](auto& f, auto r) { out.to_node_id = read_string(f, r); });
  return out;
}

IceOffer decode_ice(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  IceOffer out;
  optional_member(obj, "offer_json", ref, [&](auto& f, auto r) { out.offer_json = read_string(f, r); });
  optional_member(obj, "from_node_id", ref, [&](auto& f, auto r) { out.from_node_id = read_string(f, r); });
  optional_member(obj, "to_node_id", ref, [&](auto& f, auto r) { out.to_node_id = read_string(f, r); });
  return out;
}

NodeRef decode_node_ref(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  NodeRef out;
  optional_member(obj, "node_id", ref, [&](auto& f, auto r) { out.node_id = read_string(f, r); });
  return out;
}

ErrorPayload decode_error(const json::value& v, const std::string& ref) {
  const auto& obj = as_object(v, ref);
  ErrorPayload out;
  optional_member(obj, "code", ref, [&](auto& f, auto r) { out.code = read_string(f, r); });
  optional_member(obj, "message", ref, [&](auto& f, auto r) { out.message = read_string(f, r); });
  optional_member(obj, "ref", ref, [&](auto& f, auto r) { out.ref = read_string(f, r); });
  return out;
}

Envelope decode_object(const json::object& obj, Sender sender) {
  Envelope env;
  const std::string root;
  // Processing order of §2.8, so that the first wrong field reported is the first processed.
  optional_member(obj, "register", root, [&](auto& f, auto r) { env.register_ = decode_register(f, r); });
  optional_member(obj, "echo", root, [&](auto& f, auto r) { env.echo = decode_echo(f, r); });
  optional_member(obj, "attributes_announcement", root,
                  [&](auto& f, auto r) { env.attributes_announcement = decode_attributes(f, r); });
  optional_member(obj, "rename", root, [&](auto& f, auto r) { env.rename = decode_rename(f, r); });
  optional_member(obj, "sdp_offer", root, [&](auto& f, auto r) { env.sdp_offer = decode_sdp(f, r); });
  optional_member(obj, "ice_offer", root, [&](auto& f, auto r) { env.ice_offer = decode_ice(f, r); });
  if (sender == Sender::server) {
    optional_member(obj, "node_id", root, [&](auto& f, auto r) { env.node_id = read_string(f, r); });
    optional_member(obj, "online", root, [&](auto& f, auto r) { env.online = decode_node_ref(f, r); });
    optional_member(obj, "offline", root, [&](auto& f, auto r) { env.offline = decode_node_ref(f, r); });
    optional_member(obj, "error", root, [&](auto& f, auto r) { env.error = decode_error(f, r); });
  }
  return env;
}

}  // namespace

DecodeResult decode_envelope(std::string_view text, Sender sender) {
  DecodeResult result;
  // Frames are at most 64 KiB; a stack arena avoids heap traffic for the usual small frame.
  unsigned char arena[4096];
  json::monotonic_resource resource(arena, sizeof arena);
  json::parse_options options;
  options.max_depth = 32;
  std::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec, &resource, options);
  if (ec || !root.is_object()) {
    result.error = {"bad_json", std::nullopt, ec ? "frame is not valid JSON" : "frame is not a JSON object"};
    return result;
  }
  try {
    result.envelope = decode_object(root.get_object(), sender);
  } catch (const FieldError& e) {
    result.error = {"bad_field", e.ref, "field " + e.ref + " has the wrong type"};
  }
  return result;
}

std::string encode_envelope(const Envelope& env) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (env.node_id) w.member("node_id", *env.node_id);
  if (env.register_) w.key("register").begin_object().member("node_name", env.register_->node_name).end_object();
  if (env.echo) {
    const auto& e = *env.echo;
    w.key("echo").begin_object();
    w.member("direction", e.direction).member("correlation_id", e.correlation_id);
    w.member("server_timestamp", e.server_timestamp).member("timestamp", e.timestamp).member("seq_id", e.seq_id);
    w.end_object();
  }
  if (env.attributes_announcement) {
    const auto& a = *env.attributes_announcement;
    w.key("attributes_announcement").begin_object();
    if (a.attributes) {
      w.key("attributes").begin_object();
      for (const auto& [k, v] : *a.attributes) w.member(k, v);
      w.end_object();
    }
    if (a.withdrawals) {
      w.key("withdrawals").begin_array();
      for (const auto& k : *a.withdrawals) w.value(k);
      w.end_array();
    }
    w.end_object();
  }
  if (env.rename) {
    const auto& r = *env.rename;
    w.key("rename").begin_object().key("new_preference").begin_object();
    if (r.new_preference.name) w.member("name", *r.new_preference.name);
    if (r.new_preference.index_of_prefer_color) w.member("indexOfPreferColor", *r.new_preference.index_of_prefer_color);
    w.end_object().member("origin_node_name", r.origin_node_name);
    if (r.node_id) w.member("node_id", *r.node_id);
    w.end_object();
  }
  if (env.online) w.key("online").begin_object().member("node_id", env.online->node_id).end_object();
  if (env.sdp_offer) {
    const auto& s = *env.sdp_offer;
    w.key("sdp_offer").begin_object().member("type", s.type).member("offer_json", s.offer_json);
    w.member("from_node_id", s.from_node_id).member("to_node_id", s.to_node_id).end_object();
  }
  if (env.ice_offer) {
    const auto& s = *env.ice_offer;
    w.key("ice_offer").begin_object().member("offer_json", s.offer_json);
    w.member("from_node_id", s.from_node_id).member("to_node_id", s.to_node_id).end_object();
  }
  if (env.offline) w.key("offline").begin_object().member("node_id", env.offline->node_id).end_object();
  if (env.error) {
    const auto& e = *env.error;
    w.key("error").begin_object().member("code", e.code).member("message", e.message).key("ref");
    if (e.ref) w.value(*e.ref); else w.null();
    w.end_object();
  }
  w.end_object();
  return out;
}

}  // namespace parley::protocol
