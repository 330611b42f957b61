#include "app/server_account_options.hpp"

#include <boost/url/parse.hpp>
#include <cstdlib>

#include "accounts/http/cookie.hpp"
#include "app/duration.hpp"

namespace parley::app {
namespace {

// An absolute http(s) URL with a host, or an error text.
std::optional<std::string> url_problem(const std::string& flag, const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty())
    return flag + " must be an absolute http(s) URL (got '" + url + "')";
  return std::nullopt;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::optional<std::chrono::seconds> positive_seconds(const std::string& text) {
  const auto d = app::parse_duration(text);
  if (!d || d->count() < 1000) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

}  // namespace

void add_account_options(CLI::App& app, AccountFlags& f, ServerOptions& o) {
  app.add_option("--data-dir", f.data_dir, "Directory of the accounts database and the JWT key (created 0700)")
      ->envname("PARLEY_DATA_DIR")->capture_default_str();
  app.add_option("--jwt-secret-file", f.jwt_secret_file,
                 "JWT signing key file (>= 32 bytes); default <data-dir>/jwt-secret.key, created on first start")
      ->envname("PARLEY_JWT_SECRET_FILE");
  app.add_flag("--new-jwt-key", f.new_jwt_key,
               "Make a new <data-dir>/jwt-secret.key although bot accounts exist (their tokens stop working); "
               "without it a missing key beside bots stops the server")
      ->envname("PARLEY_NEW_JWT_KEY");
  app.add_option("--jwt-lifetime", f.jwt_lifetime, "Lifetime of the bot tokens the management API issues")
      ->envname("PARLEY_JWT_LIFETIME")->capture_default_str();
  app.add_option("--session-lifetime", f.session_lifetime, "Lifetime of a login session (and its cookie)")
      ->envname("PARLEY_SESSION_LIFETIME")->capture_default_str();
  app.add_option("--login-success-redir-url", f.login_success_url,
                 "Where a finished login goes; its origin also bounds the current_page redirects")
      ->envname("PARLEY_LOGIN_SUCCESS_REDIR_URL")->capture_default_str();
  app.add_option("--github-login-redir-url", f.github_redirect_url,
                 "Public URL of /api/github/login/auth (GitHub login also needs env GH_LOGIN_CLIENT_ID and "
                 "GH_LOGIN_CLIENT_SECRET)")
      ->envname("PARLEY_GITHUB_LOGIN_REDIR_URL")->capture_default_str();
  app.add_option("--github-oauth-base-url", f.github_oauth_base_url, "GitHub OAuth base URL (tests: a local stand-in)")
      ->envname("PARLEY_GITHUB_OAUTH_BASE_URL")->capture_default_str();
  app.add_option("--github-api-base-url", f.github_api_base_url, "GitHub API base URL (tests: a local stand-in)")
      ->envname("PARLEY_GITHUB_API_BASE_URL")->capture_default_str();
  app.add_option("--kioubit-login-pubkey", f.kioubit_pubkey, "Kioubit's P-521 public key (PEM); enables Kioubit login")
      ->envname("PARLEY_KIOUBIT_LOGIN_PUBKEY")->check(CLI::ExistingFile);
  app.add_option("--kioubit-login-redir-url", f.kioubit_redirect_url, "Public URL of /api/kioubit/login/auth")
      ->envname("PARLEY_KIOUBIT_LOGIN_REDIR_URL");
  app.add_option("--kioubit-auth-url", f.kioubit_auth_url, "Kioubit's login page")
      ->envname("PARLEY_KIOUBIT_AUTH_URL")->capture_default_str();
  app.add_option("--avatar-allow-http", f.avatar_allow_http,
                 "Tests only: store and fetch remote avatars over plain http")
      ->envname("PARLEY_AVATAR_ALLOW_HTTP")->capture_default_str();
  f.management_listen = app.add_option("--management-listen,--management-socket", o.management_listen,
                                       "Unix socket of the management API (mode 0600); '' disables it")
                            ->envname("PARLEY_MANAGEMENT_LISTEN")->capture_default_str();
}

std::optional<std::string> finish_account_options(const AccountFlags& f, ServerOptions& o,
                                                  std::vector<app::LoginProvider>& buttons) {
  auto& a = o.accounts;
  if (f.data_dir.empty()) return "--data-dir must not be empty";
  a.data_dir = f.data_dir;
  a.jwt_secret_file = f.jwt_secret_file;

  const auto jwt = positive_seconds(f.jwt_lifetime);
  if (!jwt) return "--jwt-lifetime must be a duration of at least 1s, e.g. 90d (got '" + f.jwt_lifetime + "')";
  a.jwt_lifetime = *jwt;
  const auto session = positive_seconds(f.session_lifetime);
  if (!session)
    return "--session-lifetime must be a duration of at least 1s, e.g. 30d (got '" + f.session_lifetime + "')";
  a.sessions.lifetime_seconds = session->count();

  a.sessions.cookie.domain = o.cookie_domain;
  a.sessions.cookie.same_site = accounts::parse_same_site(o.cookie_samesite);  // already one of None/Lax/Strict
  a.sessions.cookie.secure = o.cookie_secure;
  try {
    accounts::validate_cookie_config(a.sessions.cookie);  // its warnings are logged by Accounts
  } catch (const std::invalid_argument& e) {
    return e.what();  // the text names the flag
  }

  if (auto p = url_problem("--login-success-redir-url", f.login_success_url)) return p;
  a.login_success_url = f.login_success_url;
  a.avatars.allow_http = f.avatar_allow_http;
  a.allow_new_jwt_key = f.new_jwt_key;

  // GitHub: enabled by the two env vars plus a redirect URL (§4.2).
  accounts::GithubConfig gh{env("GH_LOGIN_CLIENT_ID"), env("GH_LOGIN_CLIENT_SECRET"), f.github_redirect_url,
                        f.github_oauth_base_url, f.github_api_base_url};
  if (gh.client_id.empty() != gh.client_secret.empty())
    return gh.client_id.empty() ? "GH_LOGIN_CLIENT_SECRET is set but GH_LOGIN_CLIENT_ID is empty"
                                : "GH_LOGIN_CLIENT_ID is set but GH_LOGIN_CLIENT_SECRET is empty";
  if (gh.enabled()) {
    if (auto p = url_problem("--github-login-redir-url", gh.redirect_url)) return p;
    if (auto p = url_problem("--github-oauth-base-url", gh.oauth_base_url)) return p;
    if (auto p = url_problem("--github-api-base-url", gh.api_base_url)) return p;
    a.github = gh;
    buttons.push_back({"github", "github", "Sign in with GitHub", "/api/github/login/start"});
  }

  // Kioubit: both the key and the redirect URL, or neither (§4.3).
  if (f.kioubit_pubkey.empty() != f.kioubit_redirect_url.empty())
    return f.kioubit_pubkey.empty() ? "--kioubit-login-redir-url needs --kioubit-login-pubkey"
                                    : "--kioubit-login-pubkey needs --kioubit-login-redir-url";
  if (!f.kioubit_pubkey.empty()) {
    if (auto p = url_problem("--kioubit-login-redir-url", f.kioubit_redirect_url)) return p;
    if (auto p = url_problem("--kioubit-auth-url", f.kioubit_auth_url)) return p;
    a.kioubit = accounts::KioubitSetup{f.kioubit_pubkey, {f.kioubit_auth_url, f.kioubit_redirect_url}};
    buttons.push_back({"kioubit", "kioubit", "Sign in with Kioubit", "/api/kioubit/login/start"});
  }

  o.management_listen_default = f.management_listen->count() == 0 && std::getenv("PARLEY_MANAGEMENT_LISTEN") == nullptr;
  return std::nullopt;
}

}  // namespace parley::app
