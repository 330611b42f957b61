#include "accounts/turn_credentials.hpp"

#include <openssl/hmac.h>

#include <boost/json.hpp>

#include "accounts/base64.hpp"

namespace parley::accounts {

TurnCredential issue_turn_credential(const TurnConfig& config, std::int64_t now_unix_s, std::string_view who) {
  TurnCredential c;
  c.urls = config.urls;
  c.username = std::to_string(now_unix_s + config.ttl.count()) + ":" + std::string(who);
  unsigned char md[20];
  unsigned int n = 0;
  HMAC(EVP_sha1(), config.secret.data(), static_cast<int>(config.secret.size()),
       reinterpret_cast<const unsigned char*>(c.username.data()), c.username.size(), md, &n);
  c.credential = base64_encode(std::string_view(reinterpret_cast<const char*>(md), n));
  return c;
}

std::string ice_servers_json(const TurnCredential& credential) {
  boost::json::array urls;
  for (const auto& u : credential.urls) urls.emplace_back(u);
  boost::json::object server{{"urls", std::move(urls)}, {"username", credential.username}, {"credential", credential.credential}};
  return boost::json::serialize(boost::json::object{{"iceServers", boost::json::array{std::move(server)}}});
}

}  // namespace parley::accounts
