// libFuzzer target: the management API's multipart/form-data bodies and media types. Hostile
// input gets an error, never a crash; parts stay within the limit and inside the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "accounts/http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the Content-Type header value, the rest the body.
  const auto newline = input.find('\n');
  const std::string_view content_type = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const auto media = parley::accounts::parse_media_type(content_type);
  std::string_view boundary = "X";
  if (media) {
    if (const auto it = media->params.find("boundary"); it != media->params.end()) boundary = it->second;
  }
  const auto parsed = parley::accounts::parse_multipart(body, boundary);
  if (parsed.fields.size() > parley::accounts::kMaxMultipartParts) std::abort();
  std::size_t bytes = 0;
  for (const auto& f : parsed.fields) bytes += f.value.size();
  if (bytes > body.size()) std::abort();
  return 0;
}
