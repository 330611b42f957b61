#include "app/bots_token.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace parley::app {
namespace {

std::string base64url_decode(const std::string& in) {
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    else if (c >= '0' && c <= '9') d = c - '0' + 52;
    else if (c == '-' || c == '+') d = 62;
    else if (c == '_' || c == '/') d = 63;
    else if (c == '=') break;
    else return {};
    value = (value << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

std::string check_bot_token(const std::string& bot, const std::string& token) {
  if (token.empty()) return token;
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos || token.size() > 8192) {
    spdlog::error("{}: its JWT token is malformed; running anonymously", bot);
    return {};
  }
  boost::json::error_code ec;
  auto claims = boost::json::parse(base64url_decode(token.substr(first + 1, second - first - 1)), ec);
  if (ec || !claims.is_object()) {
    spdlog::error("{}: its JWT payload is unreadable; running anonymously", bot);
    return {};
  }
  auto it = claims.get_object().find("exp");
  if (it == claims.get_object().end() || !it->value().is_number()) return token;  // no expiry
  auto exp = it->value().to_number<double>();
  auto now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  if (exp <= now) {
    spdlog::error("{}: its JWT token has expired; running anonymously under its built-in name", bot);
    return {};
  }
  if (exp - now < 7 * 86400) spdlog::warn("{}: its JWT token expires in {:.1f} days", bot, (exp - now) / 86400);
  return token;
}

}  // namespace parley::app
