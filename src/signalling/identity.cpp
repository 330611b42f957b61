#include "signalling/identity.hpp"

#include <cctype>

namespace parley::signalling {

std::string_view bearer_token(std::string_view header) {
  const auto space = header.find(' ');
  if (space == std::string_view::npos) return {};
  const auto scheme = header.substr(0, space);
  static constexpr std::string_view bearer = "bearer";
  if (scheme.size() != bearer.size()) return {};
  for (std::size_t i = 0; i < bearer.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(scheme[i])) != bearer[i]) return {};
  auto token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace parley::signalling
