// parley-server: wiring only. Flags → config; core and transport objects; signals; run.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "app/config_check.hpp"
#include "app/server_bots_command.hpp"
#include "app/server_options.hpp"
#include "accounts/accounts.hpp"
#include "accounts/signalling_adapters.hpp"
#include "signalling/routing/local_presence.hpp"
#include "signalling/routing/local_router.hpp"
#include "transport/account_routes.hpp"
#include "transport/ice_servers_route.hpp"
#include "transport/curl_http_client.hpp"
#include "transport/http_server.hpp"
#include "transport/management_listener.hpp"
#include "transport/metrics_route.hpp"
#include "transport/user_connections.hpp"

int main(int argc, char** argv) {
  using namespace parley;
  if (auto exit_code = app::run_admin_command(argc, argv)) return *exit_code;
  app::ServerOptions options;
  if (auto exit_code = app::parse_server_options(argc, argv, options)) return *exit_code;
  // --check-config: the files the options name, then exit 0 or 2 without starting anything.
  if (options.check_config) return app::print_config_check(app::check_config_files(options), std::cout, std::cerr);
  spdlog::set_level(spdlog::level::from_str(options.log_level));

  boost::asio::io_context io(1);
  signalling::SystemClock clock;
  transport::CurlHttpClient outbound;
  std::unique_ptr<accounts::Accounts> accounts;
  try {
    accounts = std::make_unique<accounts::Accounts>(options.accounts, outbound);
  } catch (const std::exception& e) {
    spdlog::critical("cannot set up accounts: {}", e.what());
    return 1;
  }
  for (const auto& w : accounts->warnings()) spdlog::warn("{}", w);

  signalling::LocalRouter router;
  signalling::EveryoneSeesEveryone everyone;  // who sees whom: today's rule for every client
  signalling::LocalPresence presence(everyone);
  accounts::AccountsIdentityResolver identities(accounts->authenticator(), clock);
  signalling::SignallingService service(router, presence, accounts->reserved_names(), clock, options.signalling);
  transport::HttpServer server(io, options.server, service, clock, identities);
  // Outbound HTTPS (GitHub callback, remote avatars) and management requests run here, never on
  // the I/O thread. Declared after `accounts` and `io`: it is joined before they go away.
  boost::asio::thread_pool blocking(2);
  transport::AccountRoutes account_routes(io, blocking, *accounts, clock);
  account_routes.install(server.routes());
  // TURN credentials (PROTOCOL §3.11): callers are users, bots, or registered connections (tickets).
  std::optional<transport::IceServersRoute> ice_servers;
  if (options.turn) {
    service.enable_turn_tickets();
    ice_servers.emplace(*options.turn, service, identities, clock);
    ice_servers->install(server.routes());
  }

  // A deleted bot's WebSockets are closed with 1008 (§2.2), on the I/O thread.
  accounts->bots().set_on_deleted([&](const storage::User& user) {
    boost::asio::post(io, [&service, id = user.id, name = user.username] {
      const auto n = transport::close_user_connections(service.registry(), id, "account deleted");
      if (n) spdlog::info("bot {} deleted: closed {} connection(s)", name, n);
    });
  });

  // /metrics: on a listener of its own, or on the main port when asked (docs/METRICS.md).
  transport::MetricsSource metrics_source(service, server.metrics());
  if (options.metrics) transport::install_metrics_route(server.routes(), metrics_source);
  transport::MetricsListener metrics_listener(io, metrics_source);
  if (!options.metrics_address.empty()) {
    try {
      metrics_listener.start(options.metrics_address, options.metrics_port);
      spdlog::info("metrics at http://{}:{}/metrics", options.metrics_address, metrics_listener.port());
    } catch (const std::exception& e) {
      spdlog::critical("cannot listen on --metrics-listen {}:{}: {}", options.metrics_address, options.metrics_port,
                       e.what());
      return 1;
    }
  }

  transport::ManagementListener management(io, blocking, accounts->bots(), clock);
  if (!options.management_listen.empty()) {
    try {
      management.start(options.management_listen);
      spdlog::info("management API on unix socket {}", options.management_listen);
    } catch (const std::exception& e) {
      if (!options.management_listen_default) {
        spdlog::critical("--management-listen: {}", e.what());
        return 1;
      }
      // The built-in default (/run/parley) may not be usable by this user: run without it.
      spdlog::warn("management API disabled: {} (set --management-listen to a writable path)", e.what());
    }
  }

  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", options.server.listen_address, options.server.listen_port, e.what());
    return 1;
  }
  if (!std::filesystem::exists(std::filesystem::path(options.server.web_root.dir) / "index.html"))
    spdlog::warn("no index.html in --web-root {}: the web client is not served", options.server.web_root.dir);
  spdlog::info("parley-server listening on {}:{} ({}; WebSocket at {} and /api{}); data in {}", options.server.listen_address,
               server.port(), options.server.tls ? "https" : "http", options.server.ws_path, options.server.ws_path,
               options.accounts.data_dir.string());
  if (options.server.tls) spdlog::info("TLS certificate: {}", options.server.tls->describe());
  if (options.server.http_redirect)
    spdlog::info("redirecting plain http on {}:{} to https", options.server.http_redirect->address, options.server.http_redirect->port);

  // SIGHUP reloads the TLS certificate and key: new connections get the new ones, open ones keep theirs.
  boost::asio::signal_set hangups(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangups.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (!options.server.tls) {
        spdlog::info("SIGHUP: no --tls-cert, nothing to reload");
      } else if (auto error = options.server.tls->reload(); error.empty()) {
        spdlog::info("SIGHUP: TLS certificate reloaded: {}", options.server.tls->describe());
      } else {
        spdlog::error("SIGHUP: TLS certificate not reloaded, the old one stays: {}", error);
      }
      wait_hangup();
    });
  };
  wait_hangup();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received", signal);
    management.stop();
    metrics_listener.stop();
    hangups.cancel();
    server.shutdown(3000, [&] { io.stop(); });
  });
  io.run();
  blocking.stop();  // queued work is dropped; running requests finish within their timeouts
  blocking.join();
  spdlog::info("parley-server stopped");
  return 0;
}
