// End-to-end harness: starts parley-server and parley-bots on a free loopback port, and gives
// tests a client (signalling + one peer connection per bot) that behaves like a web client.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bots/signalling_client.hpp"
#include "peer/factory.hpp"
#include "protocol/chat_message.hpp"
#include "protocol/msgpatch.hpp"

namespace parley::bots::test {

// A child process with its output in a log file.
class Process {
 public:
  // `env` entries ("NAME=value") are added to the child's environment.
  Process(const std::vector<std::string>& argv, const std::string& log_path, const std::vector<std::string>& env = {});
  ~Process();
  // Sends `signal` and waits (SIGKILL after 5 s); returns the wait status, or -1.
  int kill_and_wait(int signal);
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

int free_port();
std::string http_get(int port, const std::string& target);
// Node id of the first connection named `name` in GET /conns, or "".
std::string find_node(int port, const std::string& name);
std::string read_file(const std::string& path);

struct StackOptions {
  std::vector<std::string> bot_args;
  std::vector<std::string> bot_env;  // "NAME=value"
  std::string ws_server;             // default: ws://127.0.0.1:<server port>/ws; {port} is replaced
};

// parley-server plus parley-bots; the bots log to bots.log in a temporary directory.
class Stack {
 public:
  explicit Stack(std::vector<std::string> extra_bot_args = {});
  explicit Stack(StackOptions options);
  ~Stack();
  void start_server();
  void stop_server();
  int port() const { return port_; }
  std::string bots_log() const { return read_file(dir_ + "/bots.log"); }
  // Waits until every name appears in /conns.
  bool wait_for_nodes(const std::vector<std::string>& names, std::chrono::milliseconds timeout);
  std::unique_ptr<Process> bots;

 private:
  int port_;
  std::string dir_;
  std::unique_ptr<Process> server_;
};

struct Received {
  std::string label;
  protocol::ChatMessage message;
};

// One web-client-like node: a signalling connection and one offered connection per bot.
class Client {
 public:
  explicit Client(int port, std::string name = "tester");
  ~Client();

  // Offers to `bot_name` (chat + ping channels) and waits until chat is open.
  bool connect_to(const std::string& bot_name);
  // Sends a text on chat; returns its message id.
  std::string send_text(const std::string& bot_name, const std::string& text);
  void send_raw(const std::string& bot_name, const std::string& label, const std::string& text);
  // Sends a file on a new `file` channel following §7.6; returns once the metadata is sent.
  void send_file(const std::string& bot_name, const std::string& name, const std::string& bytes);
  void close_peer(const std::string& bot_name);
  // A hostile peer: sends valid text messages of `bytes` on chat as fast as the channel takes
  // them (keeping at most 4 MiB queued), for `duration`. Returns how many were queued.
  size_t flood(const std::string& bot_name, std::chrono::milliseconds duration, size_t bytes);

  // Waits until pred holds over everything received from the bot (under the lock).
  bool wait(std::chrono::milliseconds timeout, const std::function<bool()>& pred);
  std::vector<Received> received(const std::string& bot_name);
  std::vector<protocol::PatchOrder> patches(const std::string& bot_name);
  std::vector<std::string> files(const std::string& bot_name);  // completed incoming files
  int patch_channels(const std::string& bot_name);
  // Decoded remote audio from the bot (first channel), and its sample rate.
  std::vector<float> audio(const std::string& bot_name, int* rate = nullptr);
  void clear_audio(const std::string& bot_name);
  const std::string& node_id() const { return client_->node_id(); }
  std::string bot_id(const std::string& bot_name);
  // The safety number of the connection to the bot as this end computes it ("" before one).
  std::string safety_number(const std::string& bot_name);
  std::string remote_fingerprint(const std::string& bot_name);  // the bot's, from its applied answer

  template <class F>
  auto on_loop(F&& f) -> decltype(f());

 private:
  struct Peer;
  Peer* peer(const std::string& bot_name);
  void maybe_complete(Peer* p, const std::string& dc_id);
  void post(std::function<void()> f);

  int port_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::unique_ptr<peer::Factory> factory_;
  std::shared_ptr<SignallingClient> client_;
  // Recursive: wait() evaluates predicates that call the locking accessors.
  std::recursive_mutex mutex_;
  std::condition_variable_any cv_;
  std::map<std::string, std::unique_ptr<Peer>> peers_;  // by bot name
  std::thread thread_;
};

// A local stand-in for an OpenAI-compatible API (the only fake in these tests): answers
// POST /v1/chat/completions with "You said: <last user message>", streamed as SSE when asked.
class FakeLlm {
 public:
  FakeLlm();
  ~FakeLlm();
  int port() const { return port_; }
  std::vector<std::string> bodies();  // request bodies received
  std::vector<std::string> authorizations();
  void fail_next(int status) { fail_status_ = status; }
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = static_cast<int>(d.count()); }

 private:
  void serve();
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> fail_status_{0};
  std::atomic<int> delay_ms_{0};
  std::mutex mutex_;
  std::vector<std::string> bodies_, auths_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
};

// Resident set size of a process, in bytes (0 if unknown).
uint64_t rss_bytes(pid_t pid);

// Frequency with the most energy between lo and hi Hz (1 Hz steps).
double dominant_frequency(const std::vector<float>& x, int rate, double lo, double hi);
// Relative power at frequency f.
double power_at(const std::vector<float>& x, int rate, double f);

}  // namespace parley::bots::test
