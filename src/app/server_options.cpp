#include "app/server_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/dotenv.hpp"
#include "app/duration_flag.hpp"
#include "app/server_account_options.hpp"
#include "app/server_turn_options.hpp"
#include "app/duration.hpp"
#include "app/servers_json.hpp"
#include "transport/client_address.hpp"
#include "transport/security_headers.hpp"

namespace parley::app {
namespace {

bool parse_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  address = text.substr(0, colon);
  if (address.empty()) address = "0.0.0.0";
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  try {
    const int p = std::stoi(text.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
  } catch (...) {
    return false;
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(address, ec);
  return !ec;
}

std::string find_env_file_flag(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--env-file" && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--env-file=", 0) == 0) return a.substr(11);
  }
  return ".env";
}

}  // namespace

std::optional<int> parse_server_options(int argc, char** argv, ServerOptions& o) {
  // The .env file is read first so that its values act as environment defaults for the flags.
  o.env_file = find_env_file_flag(argc, argv);
  const auto env = o.env_file.empty() ? DotenvResult{} : load_dotenv(o.env_file);
  if (!env.error.empty()) std::cerr << "warning: " << env.error << " (line ignored)\n";

  CLI::App app{"parley-server: Parley's signalling server, HTTP API and web client host.\n"
               "Every flag can also be set through the environment variable shown (PARLEY_*), or in a .env file."};
  app.get_formatter()->column_width(40);
  std::string listen = "0.0.0.0:3001", ws_timeout = "30s", servers_json_file, server_name = "Parley";
  std::string metrics_listen, tls_cert, tls_key, http_redirect_listen, abuse_penalty = "60s";
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  std::vector<std::string> ice_servers{"stun:stun.l.google.com:19302"};
  auto& s = o.server;
  auto& l = o.signalling;
  s.web_root.dir = "web/dist";

  app.add_option("--env-file", o.env_file, "File of KEY=VALUE lines loaded into the environment first; '' skips it")
      ->capture_default_str();
  // --listen-addr is the original server's spelling (issue 13): its command lines keep working.
  app.add_option("--listen,--listen-addr", listen, "Address and port to listen on (HTTP and WebSocket; HTTPS and WSS with --tls-cert)")
      ->envname("PARLEY_LISTEN")->capture_default_str();
  app.add_option("--tls-cert", tls_cert, "PEM certificate chain (server first): https and wss on the listen port; reloaded on SIGHUP")
      ->envname("PARLEY_TLS_CERT");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert")->envname("PARLEY_TLS_KEY");
  app.add_option("--http-redirect-listen", http_redirect_listen,
                 "Also listen on ADDRESS:PORT for plain http and redirect every request to https (with --tls-cert)")
      ->envname("PARLEY_HTTP_REDIRECT_LISTEN");
  app.add_option("--ws-path", s.ws_path, "Signalling WebSocket path; also served under /api")
      ->envname("PARLEY_WS_PATH")->capture_default_str();
  app.add_option("--ws-timeout", ws_timeout, "Close a WebSocket after this long without a valid frame (>= 10s advised)")
      ->envname("PARLEY_WS_TIMEOUT")->check(DurationValidator())->capture_default_str();
  app.add_option("--allowed-origin", s.origins.allowed_origins,
                 "Browser origin allowed to connect and get CORS headers (repeatable), e.g. https://chat.example.com")
      ->envname("PARLEY_ALLOWED_ORIGINS")->delimiter(',');
  app.add_option("--allowed-host", s.origins.allowed_hosts,
                 "Names this server answers to (repeatable; the Host header, any port); others get 421. "
                 "Closes DNS rebinding. Default: any name")
      ->envname("PARLEY_ALLOWED_HOSTS")->delimiter(',');
  app.add_option("--default-cors-allowed", s.origins.allow_missing_origin,
                 "Accept WebSocket requests without an Origin header (bots, CLI tools)")
      ->envname("PARLEY_DEFAULT_CORS_ALLOWED")->capture_default_str();
  app.add_option("--cors", s.cors, "Send CORS headers for allowed origins (false when a proxy adds them)")
      ->envname("PARLEY_CORS")->capture_default_str();
  app.add_option("--web-root", s.web_root.dir, "Directory of the built web client, served at /")
      ->envname("PARLEY_WEB_ROOT")->capture_default_str();
  app.add_option("--servers-json", servers_json_file, "Serve this file at /servers.json instead of generating it")
      ->envname("PARLEY_SERVERS_JSON")->check(CLI::ExistingFile);
  app.add_option("--server-name", server_name, "Server name shown in the web client's server picker")
      ->envname("PARLEY_SERVER_NAME")->capture_default_str();
  app.add_option("--ice-server", ice_servers, "STUN URL listed in the generated /servers.json (repeatable)")
      ->envname("PARLEY_ICE_SERVERS")->delimiter(',')->capture_default_str();
  app.add_option("--max-connections", s.ws.max_connections, "Most WebSockets open at once; beyond: 503 server full")
      ->envname("PARLEY_MAX_CONNECTIONS")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--allow-anonymous", l.allow_anonymous, "Let visitors without an account register")
      ->envname("PARLEY_ALLOW_ANONYMOUS")->capture_default_str();
  app.add_option("--rate-limit", l.rate_per_second, "Frames per second per connection (token bucket refill)")
      ->envname("PARLEY_RATE_LIMIT")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--rate-burst", l.rate_burst, "Token bucket size per connection")
      ->envname("PARLEY_RATE_BURST")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--bot-rate-limit", l.bot_rate_per_second, "Frames per second for bot accounts")
      ->envname("PARLEY_BOT_RATE_LIMIT")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--bot-rate-burst", l.bot_rate_burst, "Token bucket size for bot accounts")
      ->envname("PARLEY_BOT_RATE_BURST")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--presence-rate-limit", l.presence_rate_per_second,
                 "Registers and renames per second per connection (each is broadcast to everyone)")
      ->envname("PARLEY_PRESENCE_RATE_LIMIT")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--presence-rate-burst", l.presence_burst, "Registers and renames a connection may make at once")
      ->envname("PARLEY_PRESENCE_RATE_BURST")->check(CLI::Range(1.0, 1e6))->capture_default_str();
  app.add_option("--abuse-penalty", abuse_penalty,
                 "Longest wait before an address closed for abuse may connect again (1 s, doubling per close); 0 turns it off")
      ->envname("PARLEY_ABUSE_PENALTY")->capture_default_str();
  app.add_option("--trusted-proxy", trusted_proxies,
                 "Reverse proxy address (repeatable) whose X-Forwarded-For names the client, for abuse penalties")
      ->envname("PARLEY_TRUSTED_PROXIES")->delimiter(',')->capture_default_str();
  app.add_option("--cookie-domain", o.cookie_domain, "Domain attribute of the session cookie")
      ->envname("PARLEY_COOKIE_DOMAIN");
  app.add_option("--cookie-samesite", o.cookie_samesite, "SameSite attribute of the session cookie")
      ->envname("PARLEY_COOKIE_SAMESITE")->check(CLI::IsMember({"None", "Lax", "Strict"}))->capture_default_str();
  app.add_option("--cookie-secure", o.cookie_secure, "Secure attribute of the session cookie (needed with SameSite=None)")
      ->envname("PARLEY_COOKIE_SECURE")->capture_default_str();
  AccountFlags account_flags;
  add_account_options(app, account_flags, o);
  TurnFlags turn_flags;
  add_turn_options(app, turn_flags);
  app.add_option("--metrics", o.metrics,
                 "Serve Prometheus /metrics on the main port (public there: prefer --metrics-listen)")
      ->envname("PARLEY_METRICS")->capture_default_str();
  app.add_option("--metrics-listen", metrics_listen,
                 "Serve /metrics only on this ADDRESS:PORT (e.g. 127.0.0.1:9464), never on the main port")
      ->envname("PARLEY_METRICS_LISTEN");
  app.add_flag("--check-config", o.check_config,
               "Check the flags, environment, .env and the files they name (TLS, servers.json, data dir, web root), then exit");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->envname("PARLEY_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  auto fail = [](const std::string& message) {
    std::cerr << "parley-server: " << message << "\n";
    return std::optional<int>(2);
  };
  if (!parse_listen(listen, s.listen_address, s.listen_port))
    return fail("--listen must be ADDRESS:PORT, e.g. 0.0.0.0:3001 or [::1]:3001 (got '" + listen + "')");
  if (!metrics_listen.empty() && !parse_listen(metrics_listen, o.metrics_address, o.metrics_port))
    return fail("--metrics-listen must be ADDRESS:PORT, e.g. 127.0.0.1:9464 (got '" + metrics_listen + "')");
  if (tls_cert.empty() != tls_key.empty()) return fail("--tls-cert and --tls-key go together");
  if (!http_redirect_listen.empty()) {
    if (tls_cert.empty()) return fail("--http-redirect-listen needs --tls-cert and --tls-key (it redirects to https)");
    transport::ServerConfig::Endpoint e;
    if (!parse_listen(http_redirect_listen, e.address, e.port))
      return fail("--http-redirect-listen must be ADDRESS:PORT, e.g. 0.0.0.0:80 (got '" + http_redirect_listen + "')");
    s.http_redirect = e;
  }
  if (!tls_cert.empty()) {
    try {
      s.tls = std::make_shared<transport::TlsContext>(transport::TlsFiles{tls_cert, tls_key});
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  if (!metrics_listen.empty() && o.metrics)
    return fail("--metrics and --metrics-listen: choose one (with --metrics-listen, /metrics is served only there)");
  if (s.ws_path.empty() || s.ws_path[0] != '/' || s.ws_path.find('?') != std::string::npos)
    return fail("--ws-path must start with / and have no query (got '" + s.ws_path + "')");
  const auto timeout = app::parse_duration(ws_timeout);
  if (!timeout || timeout->count() <= 0) return fail("--ws-timeout must be greater than 0");
  l.idle_timeout_ms = timeout->count();
  if (timeout->count() < 10'000) std::cerr << "warning: --ws-timeout below 10s disconnects slow-pinging clients\n";
  const auto penalty = abuse_penalty == "0" ? std::optional(std::chrono::milliseconds(0)) : app::parse_duration(abuse_penalty);
  if (!penalty || penalty->count() < 0 || *penalty > std::chrono::hours(24))
    return fail("--abuse-penalty must be between 0 and 24h (got '" + abuse_penalty + "')");
  l.penalties.max_ms = penalty->count();
  std::string bad_proxy;
  auto proxies = transport::trusted_proxy_addresses(trusted_proxies, bad_proxy);
  if (!proxies) return fail("--trusted-proxy must be an IP address (got '" + bad_proxy + "')");
  s.trusted_proxies = std::move(*proxies);
  for (const auto& host : s.origins.allowed_hosts)
    if (transport::host_name_of(host).empty() || host.find_first_of("/ \t") != std::string::npos)
      return fail("--allowed-host must be a host name or address, optionally with :port (got '" + host + "')");
  for (const auto& origin : s.origins.allowed_origins)
    if (transport::normalise_origin(origin).empty())
      return fail("--allowed-origin must be scheme://host[:port] (got '" + origin + "')");
  if (o.cookie_samesite == "None" && !o.cookie_secure)
    return fail("--cookie-samesite None needs --cookie-secure true (browsers drop such cookies)");
  if (o.cookie_samesite == "Strict")
    std::cerr << "warning: --cookie-samesite Strict: the login callback is a cross-site navigation and will not carry the cookie\n";

  std::vector<app::LoginProvider> login_buttons;
  if (auto problem = finish_account_options(account_flags, o, login_buttons)) return fail(*problem);
  if (auto problem = finish_turn_options(turn_flags, o)) return fail(*problem);

  if (!servers_json_file.empty()) {
    std::ifstream in(servers_json_file);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto parsed = boost::json::parse(ss.str(), ec);
    if (ec || !parsed.is_array()) return fail("--servers-json " + servers_json_file + " must hold a JSON array");
    s.servers_json = ss.str();
  } else {
    app::ServersJsonConfig sj;
    sj.server_name = server_name;
    sj.ws_path = s.ws_path;
    sj.ice_servers = ice_servers;
    sj.allow_anonymous = l.allow_anonymous;
    sj.login_providers = std::move(login_buttons);  // the configured logins only (§10.1)
    if (o.turn) sj.ice_servers_endpoint = sj.api_prefix + "/ice-servers";
    s.servers_json = app::render_servers_json(sj);
  }
  // The page may connect to its own origin and to the servers it lists (built once, here).
  const auto servers = transport::server_origins(transport::servers_json_urls(s.servers_json));
  for (auto url : servers.skipped) {
    std::replace_if(url.begin(), url.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, '?');
    std::cerr << "warning: --servers-json URL \"" << url << "\" is not a plain http(s)/ws(s) URL: left out of the "
                 "Content-Security-Policy, so the web client cannot reach it\n";
  }
  // HSTS only when this server terminates TLS itself (behind a proxy, the proxy adds it, docs/DEPLOYMENT.md).
  s.web_root.headers = transport::security_headers(transport::content_security_policy(servers), s.tls != nullptr);
  s.web_root.tls = s.tls != nullptr;
  return std::nullopt;
}

}  // namespace parley::app
