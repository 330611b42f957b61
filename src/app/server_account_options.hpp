#pragma once
// The accounts flags of parley-server (data dir, JWT, sessions, GitHub and Kioubit logins,
// management socket): declared on the CLI11 app, then checked and turned into AccountsConfig.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/server_options.hpp"
#include "app/servers_json.hpp"

namespace parley::app {

// Raw flag values, before validation.
struct AccountFlags {
  std::string data_dir = "./data";
  std::string jwt_secret_file;
  std::string jwt_lifetime = "90d";
  std::string session_lifetime = "30d";
  std::string login_success_url = "http://localhost:3001/";
  std::string github_redirect_url = "http://localhost:3001/api/github/login/auth";
  std::string github_oauth_base_url = "https://github.com";
  std::string github_api_base_url = "https://api.github.com";
  std::string kioubit_pubkey;
  std::string kioubit_redirect_url;
  std::string kioubit_auth_url = "https://dn42.g-load.eu/auth/";
  bool avatar_allow_http = false;
  bool new_jwt_key = false;
  CLI::Option* management_listen = nullptr;
};

void add_account_options(CLI::App& app, AccountFlags& flags, ServerOptions& out);

// Validates the flags (and GH_LOGIN_CLIENT_ID / GH_LOGIN_CLIENT_SECRET from the environment),
// fills out.accounts and the login buttons of servers.json. Returns an error naming the flag.
std::optional<std::string> finish_account_options(const AccountFlags& flags, ServerOptions& out,
                                                  std::vector<app::LoginProvider>& login_buttons);

}  // namespace parley::app
