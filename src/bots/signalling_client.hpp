// The bots' signalling WebSocket (PROTOCOL.md §2): dial, register, echo keepalive, relay SDP and
// ICE, and reconnect with back-off. Everything runs on one io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bots/dns_resolver.hpp"
#include "bots/proxy_settings.hpp"

namespace parley::bots {

struct SignallingOptions {
  std::string url = "ws://localhost:3001/ws";  // ws:// or wss://
  std::string bot_name;                        // built-in name, used when anonymous
  std::string jwt;                             // empty: anonymous
  std::vector<std::pair<std::string, std::string>> attributes;
  std::chrono::milliseconds ping_period{3000};
  bool reconnect = true;
  std::chrono::milliseconds reconnect_delay{3000};  // doubles up to 60 s
  std::vector<std::string> custom_ca_files;
  bool prefer_ipv6 = false;
  ProxySettings proxy;                   // HTTP(S)_PROXY, NO_PROXY
  std::optional<DnsServer> dns_server;  // --custom-resolver; else the system resolver
};

struct SignallingEvents {
  std::function<void(const std::string& node_id, const std::string& name)> on_registered;
  std::function<void(const std::string& from, const std::string& type, const std::string& offer_json)> on_sdp;
  std::function<void(const std::string& from, const std::string& offer_json)> on_ice;
  std::function<void(const std::string& node_id)> on_offline;
  std::function<void()> on_disconnected;
};

class SignallingClient : public std::enable_shared_from_this<SignallingClient> {
 public:
  SignallingClient(boost::asio::io_context& io, SignallingOptions options, SignallingEvents events);
  void start();
  void stop();  // closes the socket; no reconnect

  // Queue a relay frame; false when not registered or the queue is full (frames are dropped,
  // never piled up without bound).
  bool send_sdp(const std::string& to, const std::string& type, const std::string& offer_json);
  bool send_ice(const std::string& to, const std::string& offer_json);

  const std::string& node_id() const { return node_id_; }
  bool registered() const { return !node_id_.empty(); }
  bool finished() const { return finished_; }  // stopped and fully closed

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> connect_and_serve();
  // Resolves with --custom-resolver when set (IP literals and localhost excepted).
  boost::asio::awaitable<std::vector<boost::asio::ip::tcp::endpoint>> resolve(const std::string& host,
                                                                              const std::string& port);
  template <class Ws>
  boost::asio::awaitable<void> serve(Ws& ws);
  template <class Ws>
  boost::asio::awaitable<void> read_loop(Ws& ws);
  template <class Ws>
  boost::asio::awaitable<void> write_loop(Ws& ws);
  boost::asio::awaitable<void> ping_loop();
  void handle_frame(const std::string& text);
  void enqueue(std::string frame);
  std::string register_frame(bool with_token) const;

  boost::asio::io_context& io_;
  SignallingOptions options_;
  SignallingEvents events_;
  boost::asio::steady_timer wake_;
  std::deque<std::string> queue_;
  std::string node_id_;
  bool use_token_;
  bool stopped_ = false;
  bool connected_ = false;
  bool finished_ = false;
  std::int64_t ping_seq_ = 0;
  std::function<void()> close_socket_;
};

}  // namespace parley::bots
