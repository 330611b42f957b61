#pragma once
// GitHub OAuth login (PROTOCOL.md §4.2) over the OutboundHttp interface. Blocking: the transport
// runs callback() off its I/O threads (it makes two HTTPS requests).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account_provisioning.hpp"
#include "accounts/http/http_types.hpp"
#include "accounts/logins/login_flow.hpp"

namespace parley::accounts {

struct GithubConfig {
  std::string client_id;      // env GH_LOGIN_CLIENT_ID
  std::string client_secret;  // env GH_LOGIN_CLIENT_SECRET (never logged)
  std::string redirect_url = "http://localhost:3001/api/github/login/auth";  // --github-login-redir-url
  std::string oauth_base_url = "https://github.com";                          // --github-oauth-base-url
  std::string api_base_url = "https://api.github.com";                        // --github-api-base-url

  // All three of id, secret and redirect URL non-empty; otherwise the routes answer 404.
  bool enabled() const { return !client_id.empty() && !client_secret.empty() && !redirect_url.empty(); }
};

class GithubLogin {
 public:
  static constexpr std::string_view kProvider = "github";

  GithubLogin(GithubConfig config, LoginFlow& flow, AccountProvisioner& accounts, OutboundHttp& http);

  // GET /github/login/start[?current_page=]: 307 to the authorize URL (with the cookie of a new session).
  HttpReply start(std::string_view cookie_header, std::string_view current_page, std::int64_t now);

  struct Callback {
    HttpReply reply;
    // Step 8: to be performed after the reply is sent; its result is only logged.
    std::optional<OutboundRequest> revoke;
  };
  // GET /github/login/auth?code=&state= (or ?error=&error_description=).
  Callback callback(const QueryParams& query, std::string_view cookie_header, std::int64_t now);

  std::string authorize_url(std::string_view nonce) const;

 private:
  OutboundRequest token_request(std::string_view code) const;
  OutboundRequest user_request(std::string_view access_token) const;
  OutboundRequest revoke_request(std::string_view access_token) const;

  GithubConfig config_;
  LoginFlow& flow_;
  AccountProvisioner& accounts_;
  OutboundHttp& http_;
};

}  // namespace parley::accounts
