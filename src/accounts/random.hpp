#pragma once
// Randomness and digests from OpenSSL, in the shapes the auth code needs.
#include <cstddef>
#include <string>
#include <string_view>

namespace parley::accounts {

// n bytes from the OpenSSL CSPRNG; throws std::runtime_error if it fails (never falls back).
std::string random_bytes(std::size_t n);

// `bytes` random bytes as unpadded base64url: URL- and cookie-safe tokens (session ids, nonces).
std::string random_token(std::size_t bytes);

// `digits` random lowercase hex digits (the `-xxxx` username suffix).
std::string random_hex(std::size_t digits);

// Random UUID v4, lowercase with hyphens (account ids).
std::string uuid_v4();

// Lowercase hex SHA-256: sessions are stored by the digest of their id, never the id itself.
std::string sha256_hex(std::string_view data);

}  // namespace parley::accounts
