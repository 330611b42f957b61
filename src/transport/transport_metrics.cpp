#include "transport/transport_metrics.hpp"

namespace parley::transport {

CloseLabel close_label(std::uint16_t code) noexcept {
  switch (code) {
    case 1000: return CloseLabel::c1000;
    case 1001: return CloseLabel::c1001;
    case 1002: return CloseLabel::c1002;
    case 1003: return CloseLabel::c1003;
    case 1007: return CloseLabel::c1007;
    case 1008: return CloseLabel::c1008;
    case 1009: return CloseLabel::c1009;
    case 1011: return CloseLabel::c1011;
    default: return CloseLabel::other;
  }
}

LoginResult login_result(unsigned http_status) noexcept {
  if (http_status >= 300 && http_status < 400) return LoginResult::ok;
  if (http_status >= 500) return LoginResult::error;
  return LoginResult::refused;
}

}  // namespace parley::transport
