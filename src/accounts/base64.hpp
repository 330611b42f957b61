#pragma once
// Strict base64 codecs. OpenSSL's EVP_DecodeBlock accepts garbage and pads output, so we decode
// ourselves: every input is hostile, and a wrong character must be an error, not a silent zero.
#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

// Standard alphabet, with '=' padding.
std::string base64_encode(std::string_view bytes);
// URL-safe alphabet, no padding (JWT, tokens).
std::string base64url_encode(std::string_view bytes);

struct Base64Options {
  bool skip_line_breaks = false;  // ignore CR and LF anywhere (76-column wrapped data URLs)
  bool require_padding = true;    // standard base64: the length must be a multiple of 4
};

// Standard alphabet. nullopt on any character outside the alphabet, misplaced padding, a bad
// length, or non-zero trailing bits.
std::optional<std::string> base64_decode(std::string_view text, Base64Options options = {});
// URL-safe alphabet without padding (JWT segments).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace parley::accounts
