#pragma once
// The ChatMessage of PROTOCOL.md §7.2: one JSON object per message on the `chat` and `ping`
// data channels. Decoding is tolerant (a known field of the wrong type counts as absent);
// anything that is not an object with a string `messageId` is garbage, ignored without ACK.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

struct RichText {
  std::string content;
  std::string type;
};

struct FileThumbnail {
  std::string data_url;
  std::string mime;
};

struct FileMeta {
  std::string category;  // file | image | video | audio | document
  std::string name;
  std::string type;      // MIME type or ""
  std::uint64_t size = 0;
  std::string dc_id;     // decimal SCTP stream id of the `file` channel
  std::optional<FileThumbnail> thumbnail;
  std::optional<std::string> sha256;  // [Parley] 64 lowercase hex digits
};

struct ChatPing {
  std::string direction;  // "ping" or "pong"
  std::int64_t seq = 0;
};

struct ChatAmend {
  std::string message_id;
  std::string new_message_json;
};

struct ChatMessage {
  std::string message_id;
  std::string from_node_id;
  std::string to_node_id;
  std::int64_t timestamp = 0;
  std::optional<std::string> message;
  std::optional<RichText> rich_text;
  std::optional<FileMeta> file;
  std::optional<ChatPing> ping;
  std::optional<std::string> ack;  // the acknowledged messageId
  std::optional<ChatAmend> amend;
  std::optional<std::string> delete_;  // the deleted messageId
};

// What a receiver does with a message, in the order of §7.3.
enum class ChatKind { ack, amend, delete_, ping, pong, file, text, other };
ChatKind kind_of(const ChatMessage& m);
std::string_view to_string(ChatKind kind);

// nullopt for garbage (not JSON, not an object, no string messageId).
std::optional<ChatMessage> decode_chat_message(std::string_view text);
// Members in a fixed order; absent optionals are omitted, never null.
std::string encode_chat_message(const ChatMessage& m);

// Shorthands for what bots send (§7.3, §7.5, §9.1).
ChatMessage make_text(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::string text);
ChatMessage make_ack(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::string acked);
ChatMessage make_pong(std::string message_id, std::string from, std::string to, std::int64_t now_ms, std::int64_t seq);

}  // namespace parley::protocol
