#pragma once
// The signalling envelope of PROTOCOL.md §2.4–2.5: one JSON object per WebSocket text frame.
// Decoding checks the JSON type of every known field (a wrong type rejects the whole frame
// with `bad_field` and the dotted path); value rules (name policy, ranges) belong to core.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::protocol {

struct RegisterPayload {
  std::string node_name;
};

struct EchoPayload {
  std::string direction;
  std::string correlation_id;
  // Integers as sent. A value beyond int64 is clamped to INT64_MAX, which core rejects
  // as out of range (§2.5.2 allows 0…2^53−1).
  std::int64_t server_timestamp = 0;
  std::int64_t timestamp = 0;
  std::int64_t seq_id = 0;
};

using AttributeList = std::vector<std::pair<std::string, std::string>>;

struct AttributesAnnouncement {
  std::optional<AttributeList> attributes;
  std::optional<std::vector<std::string>> withdrawals;
};

struct RenamePreference {
  std::optional<std::string> name;
  std::optional<std::int64_t> index_of_prefer_color;
};

struct RenamePayload {
  RenamePreference new_preference;
  std::string origin_node_name;
  std::optional<std::string> node_id;  // [Parley] only in the server's broadcast
};

struct SdpOffer {
  std::string type;
  std::string offer_json;
  std::string from_node_id;
  std::string to_node_id;
};

struct IceOffer {
  std::string offer_json;
  std::string from_node_id;
  std::string to_node_id;
};

struct NodeRef {
  std::string node_id;
};

struct ErrorPayload {
  std::string code;
  std::string message;
  std::optional<std::string> ref;
};

struct Envelope {
  std::optional<std::string> node_id;
  std::optional<RegisterPayload> register_;
  std::optional<EchoPayload> echo;
  std::optional<AttributesAnnouncement> attributes_announcement;
  std::optional<RenamePayload> rename;
  std::optional<NodeRef> online;
  std::optional<SdpOffer> sdp_offer;
  std::optional<IceOffer> ice_offer;
  std::optional<NodeRef> offline;
  std::optional<ErrorPayload> error;
};

// Who sent the frame. The server decodes client frames, in which the server-only fields
// (`node_id`, `online`, `offline`, `error`) are ignored whatever their type (§2.8).
enum class Sender { client, server };

struct DecodeError {
  std::string code;                // "bad_json" or "bad_field"
  std::optional<std::string> ref;  // dotted path for bad_field
  std::string message;             // short English, for logs
};

struct DecodeResult {
  std::optional<Envelope> envelope;
  DecodeError error;
  bool ok() const { return envelope.has_value(); }
};

DecodeResult decode_envelope(std::string_view text, Sender sender = Sender::client);

// Encodes every present member, in the order of the struct. The server builds its frames
// with the dedicated helpers in frames.hpp instead.
std::string encode_envelope(const Envelope& envelope);

}  // namespace parley::protocol
