#pragma once
// Everything the transport needs from the command line, already validated by the app layer.
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport/origin_policy.hpp"
#include "transport/static_files.hpp"
#include "transport/tls_context.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {

struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 3001;
  std::string ws_path = "/ws";
  // Peers whose X-Forwarded-For names the client (--trusted-proxy), for abuse penalties;
  // parsed once (trusted_proxy_addresses()), not on every upgrade.
  std::vector<boost::asio::ip::address> trusted_proxies = {boost::asio::ip::make_address("127.0.0.1"),
                                                           boost::asio::ip::make_address("::1")};
  transport::OriginPolicy origins;
  bool cors = true;
  WebRoot web_root;  // the web client's directory and the security headers of its files
  std::string servers_json;  // the body served at /servers.json
  WsLimits ws;
  std::int64_t request_timeout_ms = 30'000;
  std::int64_t upgrade_timeout_ms = 10'000;
  // https and wss on the listen port (plain http there is redirected); nullptr: plain http.
  std::shared_ptr<TlsContext> tls;
  // A second, plain-http port whose every request is redirected to https (--http-redirect-listen).
  struct Endpoint {
    std::string address;
    std::uint16_t port = 0;
  };
  std::optional<Endpoint> http_redirect;
};

}  // namespace parley::transport
