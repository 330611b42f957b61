#include "app/bots_options.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <spdlog/spdlog.h>

#include "app/dotenv.hpp"
#include "app/duration_flag.hpp"
#include "app/duration.hpp"
#include "bots/ice_credentials.hpp"

namespace parley::app {
namespace {

std::chrono::milliseconds duration(const std::string& s) { return *app::parse_duration(s); }

std::string flag_value(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == name && i + 1 < argc) return argv[i + 1];
    if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
  }
  return fallback;
}

}  // namespace

std::optional<int> parse_bots_options(int argc, char** argv, BotsOptions& o) {
  // Env files come first so that their variables (keys, tokens) are there for everything else;
  // variables already in the environment win.
  o.secret_env_file = flag_value(argc, argv, "--bots-secret-env-file", ".env.bots");
  if (!o.secret_env_file.empty()) {
    auto r = load_dotenv(o.secret_env_file);
    if (!r.found) spdlog::warn("env file '{}' not found; continuing without it", o.secret_env_file);
    if (!r.error.empty()) spdlog::warn("{}: {} (line ignored)", o.secret_env_file, r.error);
  }
  load_dotenv(".env");

  CLI::App app{"parley-bots: EchoBot, CounterBot, ClockBot, MusicBot and ChatBot, each a WebRTC peer with its own\n"
               "signalling connection. Tokens come from ECHOBOT_JWT_TOKEN, COUNTERBOT_JWT_TOKEN, ... (optional)."};
  app.get_formatter()->column_width(42);
  std::vector<std::string> ice{"stun:stun.l.google.com:19302"};
  std::string ice_username, ice_credential, ping = "3s", reconnect_delay = "3s", timeout = "60s", bots_list;
  std::string key_env = "OPENROUTER_APIKEY", echo_max = "64";
  auto& s = o.settings;

  app.add_option("--ws-server", o.ws_server, "Signalling URL (ws:// or wss://)")->capture_default_str();
  app.add_option("--ice-server", ice, "STUN/TURN URL (repeatable); 'none' for no ICE server")->capture_default_str();
  app.add_option("--ice-username", ice_username, "Username for turn:/turns: URLs");
  app.add_option("--ice-credential", ice_credential, "Credential for turn:/turns: URLs");
  std::string ice_endpoint = "auto";
  app.add_option("--ice-servers-endpoint", ice_endpoint,
                 "Where bots with a token fetch TURN credentials: 'auto' (from --ws-server: "
                 "wss://h/api/ws -> https://h/api/ice-servers), an http(s):// URL, or 'none'")
      ->capture_default_str();
  app.add_option("--custom-ca", o.custom_ca, "Extra PEM CA file for wss:// and HTTPS (repeatable)")->check(CLI::ExistingFile);
  app.add_option("--ping-period-seconds", ping, "Signalling echo interval")->check(DurationValidator())->capture_default_str();
  app.add_flag("--reconnect-on-disconnect{true}", o.reconnect, "Redial when signalling is lost (=false to disable)")
      ->capture_default_str();
  app.add_option("--reconnect-delay", reconnect_delay, "First redial delay; doubles up to 60s")
      ->check(DurationValidator())->capture_default_str();
  app.add_option("--ogg-file", s.ogg_files, "Ogg Opus file for MusicBot (repeatable)");
  app.add_option("--chatbot-model", s.chatbot_model, "ChatBot model id; without it ChatBot is disabled");
  app.add_option("--openrouter-apikey-env", key_env, "Environment variable holding the LLM API key")->capture_default_str();
  app.add_option("--bots-secret-env-file", o.secret_env_file, "Env file loaded first ('' skips it)")->capture_default_str();
  app.add_option("--custom-resolver", o.custom_resolver, "DNS server host[:port] (port 53 by default) for the signalling host");
  app.add_flag("--prefer-ipv6", o.prefer_ipv6, "Resolve the signalling server over IPv6 only");
  app.add_flag("--debug", o.debug, "Verbose logs");
  app.add_option("--chatbot-base-url", s.chatbot_base_url, "OpenAI-compatible API base URL")->capture_default_str();
  app.add_option("--chatbot-timeout", timeout, "LLM request timeout")->check(DurationValidator())->capture_default_str();
  app.add_option("--chatbot-history", s.chatbot_history, "Turns of history kept per peer")
      ->check(CLI::Range(0, 1000))->capture_default_str();
  app.add_flag("--chatbot-stream", s.chatbot_stream, "Stream replies live through msgpatch Append orders");
  app.add_flag("--chatbot-no-reasoning", s.chatbot_no_reasoning, "Omit the 'reasoning' member of requests");
  app.add_option("--bots", bots_list, "Comma-separated bots to run (default: all)");
  app.add_option("--data-dir", o.data_dir,
                 "Directory of each bot's DTLS certificate (<bot>.dtls.pem; created 0700), which keeps its "
                 "safety numbers across restarts")
      ->capture_default_str();
  app.add_option("--echo-max-file", echo_max, "EchoBot's largest accepted file, in MiB")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  app.add_option("--echo-max-transfers", o.echo_max_transfers,
                 "Files EchoBot holds in memory at once (receiving or echoing); more are refused")
      ->check(CLI::Range(1, 256))->capture_default_str();
  std::string failed_grace = "30s", ice_failure;
  app.add_option("--peer-failed-grace", failed_grace, "How long a peer connection may stay failed before it is freed")
      ->check(DurationValidator())->capture_default_str();
  app.add_option("--ice-failure-timeout", ice_failure, "ICE declares a silent peer failed after this long (tests)")
      ->check(DurationValidator());
  app.add_flag("--ice-loopback-only", o.loopback_only, "Gather only loopback candidates (tests, benchmarks)");
  app.add_option("--sctp-receive-window", o.sctp_receive_window_kib,
                 "Data-channel receive window in KiB; inbound speed is at most window / round trip "
                 "(raise it for distant peers sending large files)")
      ->check(CLI::Range(peer::FactoryOptions::kMinSctpReceiveWindow / 1024, peer::FactoryOptions::kMaxSctpReceiveWindow / 1024))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  o.ping_period = duration(ping);
  o.reconnect_delay = duration(reconnect_delay);
  s.chatbot_timeout = duration(timeout);
  o.echo_max_file = std::stoull(echo_max) << 20;
  o.peer_failed_grace = duration(failed_grace);
  if (!ice_failure.empty()) o.ice_failure_timeout = duration(ice_failure);
  if (const char* key = std::getenv(key_env.c_str())) s.chatbot_api_key = key;
  s.custom_ca_files = o.custom_ca;
  for (const auto& url : ice) {
    if (url.empty() || url == "none") continue;
    peer::IceServer server{{url}, {}, {}};
    if (url.rfind("turn:", 0) == 0 || url.rfind("turns:", 0) == 0) server.username = ice_username, server.credential = ice_credential;
    o.ice_servers.push_back(std::move(server));
  }
  if (ice_endpoint == "auto") {
    o.ice_servers_endpoint = bots::derive_ice_servers_endpoint(o.ws_server);
    if (o.ice_servers_endpoint.empty()) {
      std::cerr << "--ice-servers-endpoint auto: --ws-server must be a ws:// or wss:// URL\n";
      return 2;
    }
  } else if (ice_endpoint != "none") {
    if (ice_endpoint.rfind("http://", 0) != 0 && ice_endpoint.rfind("https://", 0) != 0) {
      std::cerr << "--ice-servers-endpoint: 'auto', 'none' or an http:// or https:// URL\n";
      return 2;
    }
    o.ice_servers_endpoint = ice_endpoint;
  }
  std::stringstream list(bots_list);
  for (std::string name; std::getline(list, name, ',');)
    if (!name.empty()) o.enabled_bots.push_back(name);
  if (o.data_dir.empty()) {
    std::cerr << "--data-dir: must not be empty\n";
    return 2;
  }
  if (!o.custom_resolver.empty()) {
    std::string error;
    o.dns_server = bots::parse_dns_server(o.custom_resolver, &error);
    if (!o.dns_server) {
      std::cerr << "--custom-resolver: " << error << "\n";
      return 2;
    }
  }
  return std::nullopt;
}

}  // namespace parley::app
