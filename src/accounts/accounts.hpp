#pragma once
// The composition root of the accounts core: builds storage, keys, sessions, logins and the APIs
// from one config, so the app/transport layers wire a single object.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_names.hpp"
#include "accounts/account_provisioning.hpp"
#include "accounts/avatar_fetcher.hpp"
#include "accounts/bot_accounts.hpp"
#include "accounts/logins/github_login.hpp"
#include "accounts/caller.hpp"
#include "accounts/jwt_service.hpp"
#include "accounts/logins/kioubit_login.hpp"
#include "accounts/logins/login_flow.hpp"
#include "accounts/logins/nonce_table.hpp"
#include "accounts/http/profile_api.hpp"
#include "accounts/session_service.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

struct KioubitSetup {
  std::filesystem::path public_key_file;  // --kioubit-login-pubkey (PEM, P-521)
  KioubitConfig config;                   // --kioubit-auth-url, --kioubit-login-redir-url
};

struct AccountsConfig {
  std::filesystem::path data_dir;                // --data-dir: parley.db and jwt-secret.key
  std::filesystem::path jwt_secret_file;         // --jwt-secret-file ("" = <data_dir>/jwt-secret.key)
  // --new-jwt-key: the data-dir key may be created although bot accounts exist (their tokens,
  // signed with the lost key, stop working). Without it a missing key beside bots is fatal.
  bool allow_new_jwt_key = false;
  std::chrono::seconds jwt_lifetime = JwtService::kDefaultLifetime;  // --jwt-lifetime
  SessionConfig sessions;                        // --session-lifetime, --cookie-*
  std::string login_success_url = "http://localhost:3001/";  // --login-success-redir-url
  std::optional<GithubConfig> github;            // set when GithubConfig::enabled()
  std::optional<KioubitSetup> kioubit;           // set when both Kioubit flags are given
  AvatarFetchConfig avatars;
};

class Accounts {
 public:
  // Opens/migrates the database, loads or creates the JWT key, loads the Kioubit key, checks the
  // cookie settings. Throws (std::runtime_error, std::invalid_argument, storage::StorageError)
  // on any fatal configuration problem; startup should then exit non-zero.
  Accounts(AccountsConfig config, OutboundHttp& http);
  // Same, over an existing storage (tests, or another Storage implementation).
  Accounts(AccountsConfig config, OutboundHttp& http, std::unique_ptr<storage::Storage> storage);
  ~Accounts();

  const std::vector<std::string>& warnings() const { return warnings_; }  // log them at startup

  storage::Storage& storage() { return *storage_; }
  JwtService& jwt() { return *jwt_; }
  SessionService& sessions() { return *sessions_; }
  RequestAuthenticator& authenticator() { return *authenticator_; }
  AccountReservedNames& reserved_names() { return *reserved_; }
  ProfileApi& profiles() { return *profiles_; }
  AvatarFetcher& avatars() { return *avatars_; }
  BotAccounts& bots() { return *bots_; }
  GithubLogin* github() { return github_.get(); }     // nullptr when not configured (routes 404)
  KioubitLogin* kioubit() { return kioubit_.get(); }  // nullptr when not configured (routes 404)
  OutboundHttp& http() { return http_; }
  const AccountsConfig& config() const { return config_; }

  // Writes a new JWT key (to --jwt-secret-file or the data-dir file) and uses it: revokes every token.
  void rotate_jwt_key();

 private:
  // Throws if the data-dir JWT key is missing while bot accounts exist, unless allowed.
  void refuse_silent_key_loss();

  AccountsConfig config_;
  OutboundHttp& http_;
  std::vector<std::string> warnings_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<JwtService> jwt_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<NonceTable> nonces_;
  std::unique_ptr<LoginFlow> flow_;
  std::unique_ptr<AccountProvisioner> provisioner_;
  std::unique_ptr<RequestAuthenticator> authenticator_;
  std::unique_ptr<AccountReservedNames> reserved_;
  std::unique_ptr<ProfileApi> profiles_;
  std::unique_ptr<AvatarFetcher> avatars_;
  std::unique_ptr<BotAccounts> bots_;
  std::unique_ptr<GithubLogin> github_;
  std::unique_ptr<KioubitLogin> kioubit_;
};

}  // namespace parley::accounts
