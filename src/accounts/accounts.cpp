#include "accounts/accounts.hpp"

#include "accounts/http/cookie.hpp"
#include "accounts/storage/sqlite_storage.hpp"

namespace parley::accounts {

Accounts::Accounts(AccountsConfig config, OutboundHttp& http)
    : Accounts(config, http, std::make_unique<storage::SqliteStorage>(config.data_dir)) {}

Accounts::Accounts(AccountsConfig config, OutboundHttp& http, std::unique_ptr<storage::Storage> storage)
    : config_(std::move(config)), http_(http), storage_(std::move(storage)) {
  warnings_ = validate_cookie_config(config_.sessions.cookie);
  RedirectPolicy redirects(config_.login_success_url);  // throws for a bad URL

  storage::Storage& st = *storage_;
  jwt_ = std::make_unique<JwtService>(JwtKey::load_or_create(config_.jwt_secret_file, config_.data_dir),
                                      [&st](std::string_view id) { return st.user_by_id(id).has_value(); },
                                      config_.jwt_lifetime);
  sessions_ = std::make_unique<SessionService>(st, config_.sessions);
  nonces_ = std::make_unique<NonceTable>();
  flow_ = std::make_unique<LoginFlow>(*sessions_, *nonces_, std::move(redirects));
  provisioner_ = std::make_unique<AccountProvisioner>(st, config_.avatars.allow_http);
  authenticator_ = std::make_unique<RequestAuthenticator>(st, *jwt_, *sessions_);
  reserved_ = std::make_unique<AccountReservedNames>(st);
  profiles_ = std::make_unique<ProfileApi>(st);
  avatars_ = std::make_unique<AvatarFetcher>(http_, config_.avatars);
  bots_ = std::make_unique<BotAccounts>(st, *jwt_);
  if (config_.github && config_.github->enabled())
    github_ = std::make_unique<GithubLogin>(*config_.github, *flow_, *provisioner_, http_);
  if (config_.kioubit) {
    kioubit_ = std::make_unique<KioubitLogin>(config_.kioubit->config,
                                              KioubitVerifier::from_pem_file(config_.kioubit->public_key_file),
                                              *flow_, *provisioner_);
  }
  if (config_.avatars.allow_http) warnings_.emplace_back("--avatar-allow-http: remote avatars may be stored and fetched over plain http (test setting)");
}

Accounts::~Accounts() = default;

void Accounts::rotate_jwt_key() {
  const auto file =
      config_.jwt_secret_file.empty() ? config_.data_dir / JwtKey::kDefaultFileName : config_.jwt_secret_file;
  jwt_->replace_key(JwtKey::rotate(file));
}

}  // namespace parley::accounts
