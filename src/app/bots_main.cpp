// parley-bots: flags, env, logging and wiring of the five bots. No logic.
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "app/bots_options.hpp"
#include "app/bots_token.hpp"
#include "bots/bot_host.hpp"
#include "bots/certificate_store.hpp"
#include "peer/factory.hpp"

namespace {

std::string token_variable(const std::string& bot) {
  std::string v;
  for (char c : bot) v += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v + "_JWT_TOKEN";
}

// Each peer needs a few sockets: lift the soft descriptor limit to the hard one.
void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parley;
  app::BotsOptions options;
  if (auto exit_code = app::parse_bots_options(argc, argv, options)) return *exit_code;
  spdlog::set_level(options.debug ? spdlog::level::debug : spdlog::level::info);
  raise_fd_limit();

  boost::asio::io_context io(1);
  // libwebrtc hands every event to this loop and returns at once.
  peer::FactoryOptions peer_options{[&io](std::function<void()> task) { boost::asio::post(io, std::move(task)); },
                                    options.loopback_only, options.debug};
  peer_options.sctp_receive_window = options.sctp_receive_window_kib * 1024;
  peer_options.udp_receive_buffer = 3 * peer_options.sctp_receive_window;  // why: peer/factory.hpp
  peer::Factory factory(std::move(peer_options));

  options.settings.io = &io;
  bots::RuntimeOptions runtime;
  runtime.peer_config.ice_servers = options.ice_servers;
  runtime.peer_config.failure_timeout = options.ice_failure_timeout;
  runtime.failed_grace = options.peer_failed_grace;
  runtime.max_file_bytes = options.echo_max_file;
  runtime.transfer_slots = std::make_shared<bots::TransferSlots>(options.echo_max_transfers);

  const auto proxy = bots::ProxySettings::from_environment();
  std::vector<std::unique_ptr<bots::BotHost>> hosts;
  for (const auto& entry : bots::all_bots()) {
    if (!options.enabled_bots.empty() &&
        std::find(options.enabled_bots.begin(), options.enabled_bots.end(), entry.name) == options.enabled_bots.end())
      continue;
    auto bot = entry.make(options.settings);
    if (!bot) continue;  // a missing optional setting disables only this bot (it logged why)
    // Every connection of the bot presents its own kept certificate (stable safety numbers).
    bots::RuntimeOptions bot_runtime = runtime;
    try {
      auto certificate = bots::load_bot_certificate(options.data_dir, entry.name);
      const auto until = fmt::gmtime(std::chrono::system_clock::to_time_t(certificate.info.expires));
      spdlog::info("{}: DTLS fingerprint {} (certificate valid until {:%Y-%m-%d})", entry.name,
                   certificate.info.fingerprint, until);
      bot_runtime.peer_config.certificate = std::move(certificate.pem);
    } catch (const std::exception& e) {
      spdlog::error("{}: {}", entry.name, e.what());
      return 1;
    }
    bots::SignallingOptions s;
    s.url = options.ws_server;
    s.bot_name = entry.name;
    const char* token = std::getenv(token_variable(entry.name).c_str());
    s.jwt = app::check_bot_token(entry.name, token ? token : "");
    s.attributes = {{"negotiation", "impolite"}};
    if (bot->receives_files()) s.attributes.emplace_back("support_attachment", "true");
    s.ping_period = options.ping_period;
    s.reconnect = options.reconnect;
    s.reconnect_delay = options.reconnect_delay;
    s.custom_ca_files = options.custom_ca;
    s.prefer_ipv6 = options.prefer_ipv6;
    s.proxy = proxy;
    s.dns_server = options.dns_server;
    // Only a bot with a token can prove who it is to get TURN credentials.
    if (!s.jwt.empty() && !options.ice_servers_endpoint.empty())
      bot_runtime.ice_credentials = std::make_shared<bots::IceCredentialFetcher>(bots::IceFetcherOptions{
          options.ice_servers_endpoint, s.jwt, entry.name, options.custom_ca, proxy, std::chrono::seconds(10)});
    hosts.push_back(std::make_unique<bots::BotHost>(io, factory, std::move(bot), std::move(s), std::move(bot_runtime)));
  }
  if (hosts.empty()) {
    spdlog::error("no bot to run");
    return 1;
  }
  for (auto& h : hosts) h->start();
  spdlog::info("parley-bots: {} bots, signalling at {}", hosts.size(), options.ws_server);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer deadline(io);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signo);
    for (auto& h : hosts) h->stop();
    // Wait for the close handshakes, but cut off whatever is not done in 2 s.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    auto check = std::make_shared<std::function<void()>>();
    *check = [&, until, check] {
      bool done = std::all_of(hosts.begin(), hosts.end(), [](const auto& h) { return h->stopped(); });
      if (done || std::chrono::steady_clock::now() >= until) return io.stop();
      deadline.expires_after(std::chrono::milliseconds(20));
      deadline.async_wait([check](boost::system::error_code e) {
        if (!e) (*check)();
      });
    };
    (*check)();
  });
  // Without --reconnect-on-disconnect a lost connection is final: exit once every bot is done.
  boost::asio::steady_timer watch(io);
  std::function<void()> check_done = [&] {
    watch.expires_after(std::chrono::milliseconds(500));
    watch.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      if (std::all_of(hosts.begin(), hosts.end(), [](const auto& h) { return h->stopped(); })) {
        spdlog::info("every signalling connection has ended");
        for (auto& h : hosts) h->stop();
        return io.stop();
      }
      check_done();
    });
  };
  check_done();
  io.run();
  hosts.clear();  // peers before the factory's threads
  spdlog::info("parley-bots: stopped");
  return 0;
}
