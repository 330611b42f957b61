#include "accounts/accounts.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <stdexcept>

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
  refuse_silent_key_loss();
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

void Accounts::refuse_silent_key_loss() {
  if (!config_.jwt_secret_file.empty()) return;  // an explicit key file must exist (JwtKey::load)
  const auto file = config_.data_dir / JwtKey::kDefaultFileName;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(file, ec))) return;
  const auto bots = storage_->list_bots().size();
  if (bots == 0) return;
  if (!config_.allow_new_jwt_key)
    throw std::runtime_error(file.string() + " is missing, and the database has " + std::to_string(bots) +
                             " bot account(s) whose tokens it signed. Restore the key file, or start once with "
                             "--new-jwt-key to make a new one (then give each bot a new token: parley-server bots "
                             "token <username>)");
  spdlog::warn("--new-jwt-key: making a new JWT key in {}; the tokens of all {} bot account(s) stop working",
               file.string(), bots);
}

void Accounts::rotate_jwt_key() {
  const auto file =
      config_.jwt_secret_file.empty() ? config_.data_dir / JwtKey::kDefaultFileName : config_.jwt_secret_file;
  jwt_->replace_key(JwtKey::rotate(file));
}

}  // namespace parley::accounts
