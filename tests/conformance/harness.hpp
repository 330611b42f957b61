#pragma once
// Test harness for conformance tests: the real parley-server binary on a loopback port, real
// WebSocket clients (Beast), raw TCP clients for misbehaving peers, and a small HTTP client.
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/ws_client_frame.hpp"

namespace parley::conformance {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

class ServerProcess {
public:
  // Without --data-dir / --management-listen in `extra_args`, the server gets a private temporary
  // data directory with the management socket inside it (removed with the ServerProcess), so
  // parallel servers never share a database or a socket. A lone "--listen-addr" makes it listen
  // through the original server's spelling of --listen.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  // Sends `signal` and waits; returns the exit code, or -1 if it did not exit in time.
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool running();
  long rss_kib() const;

  const std::string& temp_dir() const { return temp_dir_; }  // "" when the caller chose both paths

private:
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::string temp_dir_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const Headers& headers = {}, const std::string& body = "");

// Outcome of an upgrade attempt that the server may refuse.
struct UpgradeResult {
  int status = 0;  // 101 on success
  std::string body;
};
UpgradeResult try_upgrade(std::uint16_t port, const std::string& path, const Headers& headers = {});

class WsClient {
public:
  static std::unique_ptr<WsClient> connect(std::uint16_t port, const std::string& path = "/ws",
                                           const Headers& headers = {});
  ~WsClient();

  void send(const std::string& text);
  void send_json(const json::value& v) { send(json::serialize(v)); }
  void send_binary(const std::string& bytes);
  // The next text frame parsed as a JSON object, or nullopt on timeout/close.
  std::optional<json::object> next(std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // Skips frames until one satisfies `pred`.
  std::optional<json::object> next_matching(const std::function<bool(const json::object&)>& pred,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(3));
  std::optional<json::object> next_with_key(const std::string& key,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // All frames arriving within `window`.
  std::vector<json::object> drain(std::chrono::milliseconds window = std::chrono::milliseconds(200));
  // Waits for the server to close; returns the close code (0 if the TCP connection just ended).
  std::optional<int> wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool is_open() const;
  // Registers and returns the node id from the reply (skipping `online` frames).
  std::string register_as(const std::string& name);
  void close();

private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A client that speaks WebSocket by hand and can stop reading (small receive buffer).
class RawWsClient {
public:
  RawWsClient(std::uint16_t port, int receive_buffer_bytes);
  ~RawWsClient();
  void send_text(const std::string& text);       // one masked text frame
  bool send_raw(const std::string& bytes);       // bytes as they are; false once the server ended it
  // Reads whatever arrives within the timeout; false when the server closed the TCP connection.
  bool read_until_closed(std::chrono::milliseconds timeout);
  // Reads and parses the server's frames until its close frame: returns the close code, 0 when
  // the TCP connection ended without one, nullopt on timeout. Counts the text frames seen.
  std::optional<int> read_close_code(std::chrono::milliseconds timeout);
  std::size_t text_frames_seen() const { return text_frames_; }
  // Reads and discards whatever has arrived, without waiting; false once the server closed.
  bool drain_now();
  // Ends the TCP connection with a reset (no close frame, no FIN): a client that vanishes.
  void abort();

private:
  int fd_ = -1;
  std::string inbox_;  // bytes read but not yet parsed
  bool past_http_ = false;
  std::size_t text_frames_ = 0;
};

using parley::test::masked_frame;

}  // namespace parley::conformance
