// parley-server: wiring only. Flags → config; core and transport objects; signals; run.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/server_options.hpp"
#include "core/identity_resolver.hpp"
#include "core/local_router.hpp"
#include "core/name_policy.hpp"
#include "transport/http_server.hpp"

int main(int argc, char** argv) {
  using namespace parley;
  app::ServerOptions options;
  if (auto exit_code = app::parse_server_options(argc, argv, options)) return *exit_code;
  spdlog::set_level(spdlog::level::from_str(options.log_level));

  boost::asio::io_context io(1);
  core::SystemClock clock;
  core::LocalRouter router;
  core::NoReservedNames reserved;
  core::AnonymousIdentityResolver identities;
  core::SignallingService service(router, reserved, clock, options.signalling);
  transport::HttpServer server(io, options.server, service, clock, identities);
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", options.server.listen_address, options.server.listen_port, e.what());
    return 1;
  }
  if (!std::filesystem::exists(std::filesystem::path(options.server.web_root) / "index.html"))
    spdlog::warn("no index.html in --web-root {}: the web client is not served", options.server.web_root);
  spdlog::info("parley-server listening on {}:{} (WebSocket at {} and /api{})", options.server.listen_address,
               server.port(), options.server.ws_path, options.server.ws_path);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received", signal);
    server.shutdown(3000, [&] { io.stop(); });
  });
  io.run();
  spdlog::info("parley-server stopped");
  return 0;
}
