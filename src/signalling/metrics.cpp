#include "signalling/metrics.hpp"

namespace parley::signalling {

ErrorCode error_code_of(std::string_view code) noexcept {
  for (std::size_t i = 0; i + 1 < kErrorCodeNames.size(); ++i)
    if (kErrorCodeNames[i] == code) return static_cast<ErrorCode>(i);
  return ErrorCode::other;
}

ConnectionKind connection_kind(const Identity& identity) noexcept {
  switch (identity.authentication) {
    case Authentication::session: return ConnectionKind::session;
    case Authentication::jwt: return ConnectionKind::jwt;
    case Authentication::none: break;
  }
  return ConnectionKind::anonymous;
}

}  // namespace parley::signalling
