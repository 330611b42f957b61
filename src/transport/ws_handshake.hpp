#pragma once
// The RFC 6455 opening handshake, checked and answered by hand because the data path after it
// is our own framer (ws_frame_parser.hpp).
#include <optional>
#include <string>
#include <string_view>

namespace parley::transport {

// Sec-WebSocket-Accept for a client key: base64(SHA-1(key + GUID)).
std::string websocket_accept_key(std::string_view client_key);
// The raw 101 response.
std::string websocket_upgrade_response(std::string_view client_key);
// A client key must be the base64 of 16 bytes.
bool is_valid_websocket_key(std::string_view key);

}  // namespace parley::transport
