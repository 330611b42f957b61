#include "protocol/chat_message.hpp"

#include <boost/json.hpp>

#include "protocol/json_writer.hpp"

namespace parley::protocol {
namespace json = boost::json;
namespace {

std::optional<std::string> get_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

const json::object* get_object(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

// Integers, and doubles that hold an integer (JavaScript numbers).
std::optional<std::int64_t> get_int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    if (d >= -9.0e15 && d <= 9.0e15 && d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<FileMeta> decode_file(const json::object& f) {
  FileMeta meta;
  meta.category = get_string(f, "category").value_or("file");
  meta.name = get_string(f, "name").value_or("");
  meta.type = get_string(f, "type").value_or("");
  auto size = get_int(f, "size");
  if (!size || *size < 0) return std::nullopt;  // a transfer without a size cannot complete
  meta.size = static_cast<std::uint64_t>(*size);
  // dcId is a string; tolerate a number from sloppy senders.
  if (auto dc = get_string(f, "dcId"))
    meta.dc_id = *dc;
  else if (auto n = get_int(f, "dcId"))
    meta.dc_id = std::to_string(*n);
  if (const auto* t = get_object(f, "thumbnail")) {
    auto url = get_string(*t, "dataURL");
    auto mime = get_string(*t, "mime");
    if (url && mime) meta.thumbnail = FileThumbnail{*url, *mime};
  }
  meta.sha256 = get_string(f, "sha256");
  return meta;
}

}  // namespace

std::optional<ChatMessage> decode_chat_message(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  auto id = get_string(o, "messageId");
  if (!id) return std::nullopt;
  ChatMessage m;
  m.message_id = std::move(*id);
  m.from_node_id = get_string(o, "fromNodeId").value_or("");
  m.to_node_id = get_string(o, "toNodeId").value_or("");
  m.timestamp = get_int(o, "timestamp").value_or(0);
  m.message = get_string(o, "message");
  if (const auto* r = get_object(o, "richText")) {
    auto content = get_string(*r, "content");
    if (content) m.rich_text = RichText{*content, get_string(*r, "type").value_or("text/plain")};
  }
  if (const auto* f = get_object(o, "file")) m.file = decode_file(*f);
  if (const auto* p = get_object(o, "ping")) {
    auto dir = get_string(*p, "direction");
    auto seq = get_int(*p, "seq");
    if (dir && seq) m.ping = ChatPing{*dir, *seq};
  }
  if (const auto* a = get_object(o, "ack")) m.ack = get_string(*a, "messageId");
  if (const auto* a = get_object(o, "amend")) {
    auto target = get_string(*a, "messageId");
    auto body = get_string(*a, "newMessageJSON");
    if (target && body) m.amend = ChatAmend{*target, *body};
  }
  if (const auto* d = get_object(o, "delete")) m.delete_ = get_string(*d, "messageId");
  return m;
}

std::string encode_chat_message(const ChatMessage& m) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.member("messageId", m.message_id);
  w.member("fromNodeId", m.from_node_id);
  w.member("toNodeId", m.to_node_id);
  w.member("timestamp", m.timestamp);
  if (m.message) w.member("message", *m.message);
  if (m.rich_text) {
    w.key("richText").begin_object().member("content", m.rich_text->content).member("type", m.rich_text->type).end_object();
  }
  if (m.file) {
    const auto& f = *m.file;
    w.key("file").begin_object();
    w.member("category", f.category).member("name", f.name).member("type", f.type);
    w.member("size", static_cast<std::int64_t>(f.size)).member("dcId", f.dc_id);
    if (f.thumbnail)
      w.key("thumbnail").begin_object().member("dataURL", f.thumbnail->data_url).member("mime", f.thumbnail->mime).end_object();
    if (f.sha256) w.member("sha256", *f.sha256);
    w.end_object();
  }
  if (m.ping) w.key("ping").begin_object().member("direction", m.ping->direction).member("seq", m.ping->seq).end_object();
  if (m.ack) w.key("ack").begin_object().member("messageId", *m.ack).end_object();
  if (m.amend)
    w.key("amend").begin_object().member("messageId", m.amend->message_id).member("newMessageJSON", m.amend->new_message_json).end_object();
  if (m.delete_) w.key("delete").begin_object().member("messageId", *m.delete_).end_object();
  w.end_object();
  return out;
}

ChatKind kind_of(const ChatMessage& m) {
  if (m.ack) return ChatKind::ack;
  if (m.amend) return ChatKind::amend;
  if (m.delete_) return ChatKind::delete_;
  if (m.ping) return m.ping->direction == "ping" ? ChatKind::ping : m.ping->direction == "pong" ? ChatKind::pong : ChatKind::other;
  if (m.file) return ChatKind::file;
  if (m.message || m.rich_text) return ChatKind::text;
  return ChatKind::other;
}

std::string_view to_string(ChatKind kind) {
  switch (kind) {
    case ChatKind::ack: return "ack";
    case ChatKind::amend: return "amend";
    case ChatKind::delete_: return "delete";
    case ChatKind::ping: return "ping";
    case ChatKind::pong: return "pong";
    case ChatKind::file: return "file";
    case ChatKind::text: return "text";
    case ChatKind::other: return "other";
  }
  return "other";
}

ChatMessage make_text(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::string text) {
  ChatMessage m{std::move(message_id), std::move(from), std::move(to), now_ms};
  m.message = std::move(text);
  return m;
}

ChatMessage make_ack(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::string acked) {
  ChatMessage m{std::move(message_id), std::move(from), std::move(to), now_ms};
  m.ack = std::move(acked);
  return m;
}

ChatMessage make_pong(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::int64_t seq) {
  ChatMessage m{std::move(message_id), std::move(from), std::move(to), now_ms};
  m.ping = ChatPing{"pong", seq};
  return m;
}

}  // namespace parley::protocol
