#include "accounts/logins/kioubit_login.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <stdexcept>

namespace parley::accounts {

KioubitLogin::KioubitLogin(KioubitConfig config, KioubitVerifier verifier, LoginFlow& flow,
                           AccountProvisioner& accounts)
    : config_(std::move(config)),
      verifier_(std::move(verifier)),
      domain_(url_host(config_.redirect_url)),
      flow_(flow),
      accounts_(accounts) {
  if (domain_.empty()) throw std::invalid_argument("--kioubit-login-redir-url must be an absolute URL");
}

HttpReply KioubitLogin::start(std::string_view cookie_header, std::string_view current_page, std::int64_t now) {
  auto begun = flow_.begin(kProvider, cookie_header, current_page, now);
  const char sep = config_.auth_url.find('?') == std::string::npos ? '?' : '&';
  return LoginFlow::redirect(
      config_.auth_url + sep + "return=" + url_encode(config_.redirect_url) + "&token=" + url_encode(begun.nonce),
      begun.set_cookie);
}

HttpReply KioubitLogin::callback(const QueryParams& query, std::string_view cookie_header, double now) {
  const auto check = verifier_.verify(query_value(query, "params"), query_value(query, "signature"), now, domain_);
  if (!check.payload) {
    spdlog::info("kioubit login refused: {}", check.error);
    return json_error(400, check.error);
  }
  const auto& p = *check.payload;
  const auto whole_now = static_cast<std::int64_t>(std::floor(now));
  const auto checked = flow_.check(kProvider, p.user_token, cookie_header, whole_now);
  if (checked.error) return *checked.error;
  const std::string maintainer = p.chosen_maintainer();
  const auto account = accounts_.dn42(p.asn, maintainer, p.effective_mnt, whole_now);
  if (!account.user) return json_error(400, account.error);
  spdlog::info("kioubit login: user {} (AS{}, {})", account.user->username, p.asn, maintainer);
  return flow_.finish(checked, account.user->id, whole_now);
}

}  // namespace parley::accounts
