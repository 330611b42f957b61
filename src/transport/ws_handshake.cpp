#include "transport/ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace parley::transport {

std::string websocket_accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

std::string websocket_upgrade_response(std::string_view client_key) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
         websocket_accept_key(client_key) + "\r\n\r\n";
}

bool is_valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  unsigned char out[18];
  return EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(key.data()), 24) == 18;
}

}  // namespace parley::transport
