#pragma once
// Avatar bytes and their response headers (PROTOCOL.md §3.5): data-URL decoding, the MIME
// allow-list, and headers that keep an image from ever being rendered as a document.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/http/http_types.hpp"

namespace parley::accounts {

inline constexpr std::size_t kMaxAvatarBytes = 1024 * 1024;

// image/png, image/jpeg, image/webp, image/gif (ASCII case-insensitive, parameters ignored).
bool allowed_avatar_mime(std::string_view content_type);

// "image/png; charset=x" -> "image/png" (lowercased, trimmed).
std::string bare_media_type(std::string_view content_type);

struct DataUrl {
  enum class Error { none, not_data_url, unsupported_mime, not_base64 };
  Error error = Error::none;
  std::string mime;   // lowercase
  std::string bytes;  // decoded
};

// `data:<mime>[;params];base64,<b64>`. Surrounding white space is trimmed and CR/LF inside the
// base64 are skipped. Checks the MIME allow-list before decoding.
DataUrl decode_data_url(std::string_view url);

// 200 with the image, Content-Type, and the safety headers below.
HttpReply avatar_reply(std::string mime, std::string bytes);
// X-Content-Type-Options: nosniff; Content-Security-Policy: default-src 'none'; sandbox;
// Cache-Control: public, max-age=300; and for SVG a Content-Disposition: attachment.
std::vector<Header> avatar_headers(std::string_view mime);

// The stored avatar as a reply: 200 image, or 400 {"err":"unsupported MIME type"} /
// {"err":"not base64 encoded"}. Only for data: URLs (is_data_url()).
HttpReply data_url_avatar_reply(std::string_view url);
bool is_data_url(std::string_view url);

// Validation for stored avatars (§5): empty, an https URL, or an allowed image data URL of at most
// 1 MiB. nullopt when fine, else the reason for "invalid avatar_url: <reason>". Surrounding white
// space is ignored (callers store the trimmed value).
std::optional<std::string> avatar_url_problem(std::string_view url);

}  // namespace parley::accounts
