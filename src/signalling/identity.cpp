#include "signalling/identity.hpp"

#include "protocol/ascii.hpp"

namespace parley::signalling {

std::string_view bearer_token(std::string_view header) {
  const auto space = header.find(' ');
  if (space == std::string_view::npos) return {};
  if (!protocol::ascii_iequals(header.substr(0, space), "bearer")) return {};
  return protocol::trim_ascii_space(header.substr(space + 1));
}

}  // namespace parley::signalling
