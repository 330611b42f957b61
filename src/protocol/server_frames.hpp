#pragma once
// Encoders for every frame the server sends (§2.7), written directly as JSON text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/envelope.hpp"

namespace parley::protocol {

std::string encode_online(std::string_view node_id);
std::string encode_offline(std::string_view node_id);
// `turn_ticket`: a top-level key of its own (PROTOCOL §2.4), only when not empty.
std::string encode_register_reply(std::string_view node_id, std::string_view final_name, std::string_view turn_ticket = {});
std::string encode_pong(std::string_view node_id, const EchoPayload& ping, std::int64_t server_ms);
std::string encode_rename_broadcast(std::string_view node_id, std::string_view final_name,
                                    std::optional<std::int64_t> color, std::string_view origin_name);
// Relayed frames hold only the known inner fields, with the sender's id stamped (§2.9).
std::string encode_sdp_relay(const SdpOffer& offer, std::string_view from_node_id);
std::string encode_ice_relay(const IceOffer& offer, std::string_view from_node_id);
std::string encode_error(std::string_view code, std::string_view message, const std::optional<std::string>& ref);

}  // namespace parley::protocol
