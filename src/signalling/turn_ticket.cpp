#include "signalling/turn_ticket.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace parley::signalling {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += {digits[data[i] >> 4], digits[data[i] & 15]};
  return out;
}

}  // namespace

TurnTickets::TurnTickets() : key_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) != 1)
    throw std::runtime_error("no randomness for TURN tickets");
}

std::string TurnTickets::mac(std::string_view node_id) const {
  unsigned char md[32];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(node_id.data()),
       node_id.size(), md, &n);
  return hex(md, n);
}

std::string TurnTickets::issue(std::string_view node_id) const { return std::string(node_id) + "." + mac(node_id); }

std::optional<std::string> TurnTickets::node_of(std::string_view ticket) const {
  const auto dot = ticket.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || ticket.size() > 256) return std::nullopt;
  const auto node = ticket.substr(0, dot);
  const auto expected = mac(node);
  const auto given = ticket.substr(dot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  return std::string(node);
}

}  // namespace parley::signalling
