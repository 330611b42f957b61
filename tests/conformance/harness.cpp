#include "harness.hpp"
#include "http_result.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace parley::conformance {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::uint16_t pick_free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace

// ---------------- ServerProcess ----------------

ServerProcess::ServerProcess(std::vector<std::string> extra_args) {
  const auto given = [&](const std::string& flag) {
    return std::find(extra_args.begin(), extra_args.end(), flag) != extra_args.end();
  };
  if (!given("--data-dir") || !given("--management-listen")) {
    std::string templ = (std::filesystem::temp_directory_path() / "parley-conformance-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    temp_dir_ = templ;
    if (!given("--data-dir")) extra_args.insert(extra_args.end(), {"--data-dir", temp_dir_ + "/data"});
    if (!given("--management-listen"))
      extra_args.insert(extra_args.end(), {"--management-listen", temp_dir_ + "/management.sock"});
  }
  // A lone "--listen-addr" in extra_args: the server gets its port through that spelling (the
  // original server's) instead of --listen.
  std::string listen_flag = "--listen";
  if (auto it = std::find(extra_args.begin(), extra_args.end(), "--listen-addr"); it != extra_args.end()) {
    listen_flag = "--listen-addr";
    extra_args.erase(it);
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = pick_free_port();
    std::vector<std::string> args = {PARLEY_SERVER_BINARY, listen_flag, "127.0.0.1:" + std::to_string(port_),
                                     "--log-level", "error", "--env-file", ""};
    if (std::find(extra_args.begin(), extra_args.end(), "--web-root") == extra_args.end())
      args.insert(args.end(), {"--web-root", "/nonexistent"});
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      if (!running()) break;
      try {
        // Any answer means it listens (a TLS server answers plain http with a redirect).
        if (http_request(port_, "GET", "/healthz").status > 0) return;
      } catch (...) {
      }
    }
    stop(SIGKILL);
  }
  std::error_code ignored;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
  throw std::runtime_error("parley-server did not start");
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL);
  std::error_code ignored;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ServerProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

long ServerProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// ---------------- HTTP ----------------

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser);
  return to_http_result(parser.release());
}

UpgradeResult try_upgrade(std::uint16_t port, const std::string& path, const Headers& headers) {
  Headers all = {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
                 {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  for (const auto& h : headers) {
    std::erase_if(all, [&](const auto& e) { return beast::iequals(e.first, h.first); });
    all.push_back(h);
  }
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : all) req.set(k, v);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(false);
  beast::error_code ec;
  http::read_header(stream, buffer, parser, ec);
  UpgradeResult out;
  out.status = static_cast<int>(parser.get().result_int());
  if (out.status != 101 && !ec) {
    http::read(stream, buffer, parser, ec);
    out.body = parser.get().body();
  }
  return out;
}

// ---------------- WsClient ----------------

struct WsClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;
  bool reading = false;
  bool closed = false;
  std::optional<int> close_code;

  void start_read() {
    if (reading || closed) return;
    reading = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        closed = true;
        close_code = ws.reason().code;
        return;
      }
      inbox.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      start_read();
    });
  }
  // Runs the loop until `done` or the deadline.
  template <class Done>
  void run_until(Done done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    start_read();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
  }
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WsClient::~WsClient() {
  if (impl_ && !impl_->closed) {
    beast::error_code ec;
    impl_->ws.next_layer().socket().close(ec);
  }
}

std::unique_ptr<WsClient> WsClient::connect(std::uint16_t port, const std::string& path, const Headers& headers) {
  auto impl = std::make_unique<Impl>();
  impl->ws.next_layer().expires_after(std::chrono::seconds(5));
  impl->ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  impl->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  impl->ws.read_message_max(4 * 1024 * 1024);
  impl->ws.handshake("127.0.0.1:" + std::to_string(port), path);
  impl->ws.next_layer().expires_never();
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

void WsClient::send(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text));
}

void WsClient::send_binary(const std::string& bytes) {
  impl_->ws.binary(true);
  impl_->ws.write(asio::buffer(bytes));
  impl_->ws.text(true);
}

std::optional<json::object> WsClient::next(std::chrono::milliseconds timeout) {
  impl_->run_until([&] { return !impl_->inbox.empty() || impl_->closed; }, timeout);
  if (impl_->inbox.empty()) return std::nullopt;
  auto text = std::move(impl_->inbox.front());
  impl_->inbox.pop_front();
  auto v = json::parse(text);
  if (!v.is_object()) throw std::runtime_error("server sent a non-object frame: " + text);
  return v.as_object();
}

std::optional<json::object> WsClient::next_matching(const std::function<bool(const json::object&)>& pred,
                                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = next(left);
    if (!f) return std::nullopt;
    if (pred(*f)) return f;
  }
  return std::nullopt;
}

std::optional<json::object> WsClient::next_with_key(const std::string& key, std::chrono::milliseconds timeout) {
  return next_matching([&](const json::object& o) { return o.contains(key); }, timeout);
}

std::vector<json::object> WsClient::drain(std::chrono::milliseconds window) {
  std::vector<json::object> out;
  const auto deadline = std::chrono::steady_clock::now() + window;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (auto f = next(left)) out.push_back(std::move(*f));
    else break;
  }
  return out;
}

std::optional<int> WsClient::wait_closed(std::chrono::milliseconds timeout) {
  impl_->run_until([&] {
    impl_->inbox.clear();
    return impl_->closed;
  }, timeout);
  if (!impl_->closed) return std::nullopt;
  return impl_->close_code.value_or(0);
}

bool WsClient::is_open() const { return !impl_->closed; }

std::string WsClient::register_as(const std::string& name) {
  send_json({{"register", {{"node_name", name}}}});
  auto reply = next_with_key("register");
  if (!reply) throw std::runtime_error("no register reply");
  return std::string(reply->at("node_id").as_string());
}

void WsClient::close() {
  beast::error_code ec;
  impl_->ws.close(websocket::close_code::normal, ec);
  impl_->closed = true;
}

// ---------------- RawWsClient ----------------


RawWsClient::RawWsClient(std::uint16_t port, int receive_buffer_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
  send_raw("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
}

RawWsClient::~RawWsClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawWsClient::drain_now() {
  char buf[65536];
  for (;;) {
    const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return false;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

void RawWsClient::abort() {
  const linger hard{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd_);
  fd_ = -1;
}

void RawWsClient::send_text(const std::string& text) { send_raw(masked_frame(0x1, text)); }

bool RawWsClient::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawWsClient::read_until_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
  }
  return true;
}

std::optional<int> RawWsClient::read_close_code(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    if (!past_http_) {
      const auto end = inbox_.find("\r\n\r\n");
      if (end != std::string::npos) {
        inbox_.erase(0, end + 4);
        past_http_ = true;
      }
    }
    // Server frames are unmasked: 2-byte header, then a 16- or 64-bit length when flagged.
    while (past_http_ && inbox_.size() >= 2) {
      const auto b0 = static_cast<unsigned char>(inbox_[0]), b1 = static_cast<unsigned char>(inbox_[1]);
      std::size_t header = 2, length = b1 & 0x7F;
      if (length == 126) header = 4;
      if (length == 127) header = 10;
      if (inbox_.size() < header) break;
      if (header > 2) {
        length = 0;
        for (std::size_t i = 2; i < header; ++i) length = (length << 8) | static_cast<unsigned char>(inbox_[i]);
      }
      if (inbox_.size() < header + length) break;
      const int opcode = b0 & 0x0F;
      if (opcode == 0x8)
        return length >= 2 ? (static_cast<unsigned char>(inbox_[header]) << 8) | static_cast<unsigned char>(inbox_[header + 1])
                           : 1005;
      if (opcode == 0x1) ++text_frames_;
      inbox_.erase(0, header + length);
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    inbox_.append(buf, static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

}  // namespace parley::conformance
