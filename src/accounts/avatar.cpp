#include "accounts/avatar.hpp"

#include "accounts/base64.hpp"
#include "accounts/text_rules.hpp"

namespace parley::accounts {

std::string bare_media_type(std::string_view content_type) {
  return ascii_lowercase(trim_ascii_space(content_type.substr(0, content_type.find(';'))));
}

bool allowed_avatar_mime(std::string_view content_type) {
  const std::string m = bare_media_type(content_type);
  return m == "image/png" || m == "image/jpeg" || m == "image/webp" || m == "image/gif";
}

bool is_data_url(std::string_view url) {
  url = trim_ascii_space(url);
  return url.size() >= 5 && ascii_iequals(url.substr(0, 5), "data:");
}

DataUrl decode_data_url(std::string_view url) {
  DataUrl out;
  url = trim_ascii_space(url);
  if (!is_data_url(url)) {
    out.error = DataUrl::Error::not_data_url;
    return out;
  }
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) {
    out.error = DataUrl::Error::not_data_url;
    return out;
  }
  const std::string_view meta = url.substr(5, comma - 5);
  out.mime = bare_media_type(meta);
  if (!allowed_avatar_mime(out.mime)) {
    out.error = DataUrl::Error::unsupported_mime;
    return out;
  }
  const auto last_semi = meta.rfind(';');
  if (last_semi == std::string_view::npos || !ascii_iequals(trim_ascii_space(meta.substr(last_semi + 1)), "base64")) {
    out.error = DataUrl::Error::not_base64;
    return out;
  }
  auto bytes = base64_decode(url.substr(comma + 1), {.skip_line_breaks = true, .require_padding = true});
  if (!bytes) {
    out.error = DataUrl::Error::not_base64;
    return out;
  }
  out.bytes = std::move(*bytes);
  return out;
}

std::vector<Header> avatar_headers(std::string_view mime) {
  std::vector<Header> h = {{"X-Content-Type-Options", "nosniff"},
                           {"Content-Security-Policy", "default-src 'none'; sandbox"},
                           {"Cache-Control", "public, max-age=300"}};
  if (bare_media_type(mime) == "image/svg+xml")
    h.emplace_back("Content-Disposition", "attachment; filename=\"avatar.svg\"");
  return h;
}

HttpReply avatar_reply(std::string mime, std::string bytes) {
  HttpReply r;
  r.status = 200;
  r.headers = avatar_headers(mime);
  r.content_type = std::move(mime);
  r.body = std::move(bytes);
  return r;
}

HttpReply data_url_avatar_reply(std::string_view url) {
  auto d = decode_data_url(url);
  switch (d.error) {
    case DataUrl::Error::none: return avatar_reply(std::move(d.mime), std::move(d.bytes));
    case DataUrl::Error::unsupported_mime: return json_error(400, "unsupported MIME type");
    case DataUrl::Error::not_base64:
    case DataUrl::Error::not_data_url: break;
  }
  return json_error(400, "not base64 encoded");
}

std::optional<std::string> avatar_url_problem(std::string_view url) {
  url = trim_ascii_space(url);
  if (url.empty()) return std::nullopt;
  if (url.size() > kMaxAvatarBytes) return "larger than 1 MiB";
  if (is_data_url(url)) {
    switch (decode_data_url(url).error) {
      case DataUrl::Error::none: return std::nullopt;
      case DataUrl::Error::unsupported_mime: return "unsupported MIME type (allowed: PNG, JPEG, WebP, GIF)";
      case DataUrl::Error::not_base64:
      case DataUrl::Error::not_data_url: return "not base64 encoded";
    }
  }
  if (url.size() > 2048) return "URL too long";
  if (!ascii_iequals(url.substr(0, std::min<std::size_t>(url.size(), 8)), "https://") || url.size() == 8)
    return "must be empty, an https URL or an image data URL";
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
      return "URL contains characters that are not allowed";
  }
  return std::nullopt;
}

}  // namespace parley::accounts
