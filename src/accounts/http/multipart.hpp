#pragma once
// Just enough of RFC 7578 multipart/form-data (and media-type parsing) for the management API,
// which provisioning scripts call with `curl --form`.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::accounts {

struct MediaType {
  std::string type;                           // "multipart/form-data", lowercase
  std::map<std::string, std::string> params;  // names lowercase, values unquoted
};
// nullopt if there is no `type/subtype` or a parameter is malformed.
std::optional<MediaType> parse_media_type(std::string_view value);

struct MultipartField {
  std::string name;
  std::optional<std::string> filename;
  std::string value;
};

struct Multipart {
  std::vector<MultipartField> fields;
  std::string error;  // non-empty: the body is malformed (the detail for the 400)
};

inline constexpr std::size_t kMaxMultipartParts = 64;

Multipart parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace parley::accounts
