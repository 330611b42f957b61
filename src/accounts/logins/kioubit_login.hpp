#pragma once
// Sign in with Kioubit (PROTOCOL.md §4.3): start redirect, and the callback's nonce, account and
// session steps around KioubitVerifier. Pure CPU, no outbound requests.
#include <cstdint>
#include <string>
#include <string_view>

#include "accounts/account_provisioning.hpp"
#include "accounts/http/http_types.hpp"
#include "accounts/logins/kioubit_verifier.hpp"
#include "accounts/logins/login_flow.hpp"

namespace parley::accounts {

struct KioubitConfig {
  std::string auth_url = "https://dn42.g-load.eu/auth/";  // --kioubit-auth-url
  std::string redirect_url;                               // --kioubit-login-redir-url (public URL of /api/kioubit/login/auth)
};

class KioubitLogin {
 public:
  static constexpr std::string_view kProvider = "kioubit";

  KioubitLogin(KioubitConfig config, KioubitVerifier verifier, LoginFlow& flow, AccountProvisioner& accounts);

  // GET /kioubit/login/start[?current_page=]: 307 to `<auth-url>?return=<redir>&token=<nonce>`.
  HttpReply start(std::string_view cookie_header, std::string_view current_page, std::int64_t now);
  // GET /kioubit/login/auth?params=&signature=. `now` in unix seconds (fractional is fine).
  HttpReply callback(const QueryParams& query, std::string_view cookie_header, double now);

 private:
  KioubitConfig config_;
  KioubitVerifier verifier_;
  std::string domain_;  // host of redirect_url
  LoginFlow& flow_;
  AccountProvisioner& accounts_;
};

}  // namespace parley::accounts
