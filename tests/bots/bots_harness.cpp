#include "bots_harness.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <sstream>
#include <cmath>

#include "bots/util.hpp"
#include "protocol/file_feedback.hpp"
#include "protocol/safety_number.hpp"

namespace parley::bots::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;

Process::Process(const std::vector<std::string>& argv, const std::string& log_path, const std::vector<std::string>& env) {
  pid_ = fork();
  if (pid_ == 0) {
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed or killed test
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string dir = log_path.substr(0, log_path.rfind('/'));
    if (chdir(dir.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() { kill_and_wait(SIGTERM); }

bool Process::running() {
  if (pid_ <= 0) return false;
  return waitpid(pid_, nullptr, WNOHANG) == 0;
}

int Process::kill_and_wait(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = -1;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, &status, WNOHANG) != 0) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string http_get(int port, const std::string& target) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
    req.set(beast::http::field::host, "127.0.0.1");
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    return res.result() == beast::http::status::ok ? res.body() : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

std::string find_node(int port, const std::string& name) {
  json::error_code ec;
  auto v = json::parse(http_get(port, "/conns"), ec);
  if (ec || !v.is_object()) return {};
  for (const auto& [id, info] : v.get_object())
    if (info.is_object() && info.get_object().contains("node_name") && info.get_object().at("node_name") == name.c_str())
      return std::string(id);
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Stack::Stack(std::vector<std::string> extra) : Stack(StackOptions{std::move(extra), {}, {}}) {}

Stack::Stack(StackOptions options) : port_(free_port()) {
  char tmpl[] = "/tmp/parley-bots-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  start_server();
  std::string ws = options.ws_server.empty() ? "ws://127.0.0.1:{port}/ws" : options.ws_server;
  if (auto at = ws.find("{port}"); at != std::string::npos) ws.replace(at, 6, std::to_string(port_));
  std::vector<std::string> argv{PARLEY_BOTS_BINARY, "--ws-server", ws,
                                "--ice-server", "none", "--ice-loopback-only", "--bots-secret-env-file", "",
                                "--reconnect-delay", "300ms", "--ping-period-seconds", "1s",
                                "--data-dir", dir_ + "/bots-data"};
  argv.insert(argv.end(), options.bot_args.begin(), options.bot_args.end());
  bots = std::make_unique<Process>(argv, dir_ + "/bots.log", options.bot_env);
}

Stack::~Stack() {
  bots.reset();
  server_.reset();
}

void Stack::start_server() {
  server_ = std::make_unique<Process>(
      std::vector<std::string>{PARLEY_SERVER_BINARY, "--listen", "127.0.0.1:" + std::to_string(port_), "--web-root", dir_,
                               "--env-file", ""},
      dir_ + "/server.log");
  for (int i = 0; i < 100 && http_get(port_, "/healthz").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void Stack::stop_server() { server_.reset(); }

bool Stack::wait_for_nodes(const std::vector<std::string>& names, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& n : names) all = all && !find_node(port_, n).empty();
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// ---- Client ---------------------------------------------------------------------------------

struct Client::Peer {
  std::string bot_id;
  std::shared_ptr<peer::PeerConnection> pc;
  std::shared_ptr<peer::DataChannel> chat, ping;
  std::vector<std::shared_ptr<peer::DataChannel>> incoming;
  std::vector<Received> received;
  std::vector<protocol::PatchOrder> patches;
  int patch_channels = 0;
  std::vector<std::string> files;
  // Incoming file transfers, by dcId.
  struct In {
    std::shared_ptr<peer::DataChannel> channel;
    std::optional<protocol::FileMeta> meta;
    std::string data;
  };
  std::map<std::string, In> in_files;
  bool chat_open = false;
  std::vector<float> audio;
  int audio_rate = 0;
};

Client::Client(int port, std::string name) : port_(port) {
  guard_ = std::make_unique<boost::asio::executor_work_guard<asio::io_context::executor_type>>(io_.get_executor());
  factory_ = std::make_unique<peer::Factory>(
      peer::FactoryOptions{[this](std::function<void()> t) { asio::post(io_, std::move(t)); }, true});
  SignallingOptions s;
  s.url = "ws://127.0.0.1:" + std::to_string(port) + "/ws";
  s.bot_name = std::move(name);
  s.attributes = {{"support_attachment", "true"}};
  s.ping_period = std::chrono::seconds(1);
  s.reconnect = false;
  SignallingEvents events;
  events.on_sdp = [this](const std::string& from, const std::string& type, const std::string& offer_json) {
    auto v = json::parse(offer_json);
    for (auto& [name, p] : peers_)
      if (p->bot_id == from) p->pc->set_remote_description({type, std::string(v.at("sdp").as_string())});
  };
  events.on_ice = [this](const std::string& from, const std::string& offer_json) {
    auto v = json::parse(offer_json).as_object();
    for (auto& [name, p] : peers_)
      if (p->bot_id == from)
        p->pc->add_remote_candidate({std::string(v.at("candidate").as_string()), std::string(v.at("sdpMid").as_string()),
                                     static_cast<int>(v.at("sdpMLineIndex").as_int64()), ""});
  };
  client_ = std::make_shared<SignallingClient>(io_, std::move(s), std::move(events));
  client_->start();
  thread_ = std::thread([this] { io_.run(); });
  for (int i = 0; i < 100 && !on_loop([this] { return client_->registered(); }); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

Client::~Client() {
  on_loop([this] {
    for (auto& [n, p] : peers_) p->pc->close();
    peers_.clear();
    client_->stop();
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  guard_.reset();
  io_.stop();
  thread_.join();
  client_.reset();
  factory_.reset();
}

template <class F>
auto Client::on_loop(F&& f) -> decltype(f()) {
  std::packaged_task<decltype(f())()> task(std::forward<F>(f));
  auto result = task.get_future();
  asio::post(io_, [&task] { task(); });
  return result.get();
}

Client::Peer* Client::peer(const std::string& bot_name) {
  auto it = peers_.find(bot_name);
  return it == peers_.end() ? nullptr : it->second.get();
}

std::string Client::bot_id(const std::string& bot_name) {
  return on_loop([&] { return peer(bot_name) ? peer(bot_name)->bot_id : std::string(); });
}

std::string Client::safety_number(const std::string& bot_name) {
  return on_loop([&] {
    auto* p = peer(bot_name);
    auto local = p && p->pc ? p->pc->local_fingerprint() : std::nullopt;
    auto remote = p && p->pc ? p->pc->remote_fingerprint() : std::nullopt;
    return local && remote ? protocol::safety_number(*local, *remote) : std::string();
  });
}

std::string Client::remote_fingerprint(const std::string& bot_name) {
  return on_loop([&] {
    auto* p = peer(bot_name);
    return (p && p->pc ? p->pc->remote_fingerprint() : std::nullopt).value_or("");
  });
}

bool Client::wait(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, pred);
}

std::vector<Received> Client::received(const std::string& bot_name) {
  std::lock_guard lock(mutex_);
  auto* p = peer(bot_name);
  return p ? p->received : std::vector<Received>{};
}

std::vector<protocol::PatchOrder> Client::patches(const std::string& bot_name) {
  std::lock_guard lock(mutex_);
  auto* p = peer(bot_name);
  return p ? p->patches : std::vector<protocol::PatchOrder>{};
}

std::vector<std::string> Client::files(const std::string& bot_name) {
  std::lock_guard lock(mutex_);
  auto* p = peer(bot_name);
  return p ? p->files : std::vector<std::string>{};
}

int Client::patch_channels(const std::string& bot_name) {
  std::lock_guard lock(mutex_);
  auto* p = peer(bot_name);
  return p ? p->patch_channels : 0;
}

std::vector<float> Client::audio(const std::string& bot_name, int* rate) {
  std::lock_guard lock(mutex_);
  auto* p = peer(bot_name);
  if (!p) return {};
  if (rate) *rate = p->audio_rate;
  return p->audio;
}

void Client::clear_audio(const std::string& bot_name) {
  std::lock_guard lock(mutex_);
  if (auto* p = peer(bot_name)) p->audio.clear();
}

bool Client::connect_to(const std::string& bot_name) {
  std::string id;
  for (int i = 0; i < 100 && (id = find_node(port_, bot_name)).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (id.empty()) return false;
  on_loop([&] {
    auto p = std::make_unique<Peer>();
    p->bot_id = id;
    Peer* raw = p.get();
    peer::PeerCallbacks cb;
    cb.on_local_description = [this, id](const peer::SessionDescription& d) {
      client_->send_sdp(id, d.type, json::serialize(json::object{{"type", d.type}, {"sdp", d.sdp}}));
    };
    cb.on_local_candidate = [this, id](const peer::IceCandidate& c) {
      client_->send_ice(id, json::serialize(json::object{
                                {"candidate", c.candidate}, {"sdpMid", c.sdp_mid}, {"sdpMLineIndex", c.sdp_mline_index}}));
    };
    // Channels the bot opens: msgpatch (patch orders) and file (echoed files).
    cb.on_data_channel = [this, raw](std::shared_ptr<peer::DataChannel> ch) {
      auto* c = ch.get();
      if (ch->label() == "msgpatch") {
        {
          std::lock_guard lock(mutex_);
          ++raw->patch_channels;
        }
        ch->on_message([this, raw](peer::DataMessage&& m) {
          auto order = protocol::decode_patch(m.data);
          std::lock_guard lock(mutex_);
          if (order) raw->patches.push_back(*order);
          cv_.notify_all();
        });
      } else if (ch->label() == "file") {
        auto dc = std::to_string(ch->id());
        raw->in_files[dc].channel = ch;
        ch->send_binary(protocol::encode_feedback_word(0));
        ch->on_message([this, raw, c, dc](peer::DataMessage&& m) {
          auto it = raw->in_files.find(dc);
          if (it == raw->in_files.end()) return;
          it->second.data += m.data;
          c->send_binary(protocol::encode_feedback_word(static_cast<uint32_t>(m.data.size())));
          maybe_complete(raw, dc);
        });
      }
      raw->incoming.push_back(std::move(ch));
    };
    cb.on_remote_audio = [this, raw](peer::AudioFrame&& f) {
      std::lock_guard lock(mutex_);
      raw->audio_rate = f.sample_rate;
      for (size_t k = 0; k < f.samples.size(); k += static_cast<size_t>(f.channels)) raw->audio.push_back(f.samples[k]);
      if (raw->audio.size() > 48000 * 20) raw->audio.erase(raw->audio.begin(), raw->audio.begin() + 48000 * 10);
      cv_.notify_all();
    };
    p->pc = factory_->create({}, std::move(cb));
    // A web client creates chat, then ping, then offers (§6.1).
    p->chat = p->pc->create_data_channel("chat");
    p->ping = p->pc->create_data_channel("ping");
    for (auto* ch : {p->chat.get(), p->ping.get()}) {
      std::string label = ch->label();
      ch->on_message([this, raw, label](peer::DataMessage&& m) {
        auto msg = protocol::decode_chat_message(m.data);
        if (!msg) return;
        // Like a web client: ACK texts and file metadata from the bot.
        auto kind = protocol::kind_of(*msg);
        if (kind == protocol::ChatKind::text || kind == protocol::ChatKind::file)
          raw->chat->send_text(protocol::encode_chat_message(
              protocol::make_ack(new_uuid(), client_->node_id(), raw->bot_id, now_ms(), msg->message_id)));
        {
          std::lock_guard lock(mutex_);
          raw->received.push_back({label, *msg});
          cv_.notify_all();
        }
        if (kind == protocol::ChatKind::file) {
          raw->in_files[msg->file->dc_id].meta = msg->file;
          maybe_complete(raw, msg->file->dc_id);
        }
      });
    }
    p->chat->on_open([this, raw] {
      std::lock_guard lock(mutex_);
      raw->chat_open = true;
      cv_.notify_all();
    });
    p->pc->offer();
    peers_[bot_name] = std::move(p);
    return 0;
  });
  return wait(std::chrono::seconds(10), [&] { return peer(bot_name)->chat_open; });
}

void Client::maybe_complete(Peer* p, const std::string& dc) {
  auto it = p->in_files.find(dc);
  if (it == p->in_files.end() || !it->second.meta || !it->second.channel || it->second.data.size() != it->second.meta->size)
    return;
  {
    std::lock_guard lock(mutex_);
    p->files.push_back(std::move(it->second.data));
    cv_.notify_all();
  }
  it->second.channel->close();
  p->in_files.erase(it);
}

std::string Client::send_text(const std::string& bot_name, const std::string& text) {
  return on_loop([&] {
    auto* p = peer(bot_name);
    auto m = protocol::make_text(new_uuid(), client_->node_id(), p->bot_id, now_ms(), text);
    p->chat->send_text(protocol::encode_chat_message(m));
    return m.message_id;
  });
}

void Client::send_raw(const std::string& bot_name, const std::string& label, const std::string& text) {
  on_loop([&] {
    auto* p = peer(bot_name);
    (label == "ping" ? p->ping : p->chat)->send_text(text);
    return 0;
  });
}

void Client::close_peer(const std::string& bot_name) {
  on_loop([&] {
    if (auto* p = peer(bot_name)) p->pc->close();
    return 0;
  });
}

size_t Client::flood(const std::string& bot_name, std::chrono::milliseconds duration, size_t bytes) {
  std::shared_ptr<peer::DataChannel> chat;
  std::string bot_id;
  on_loop([&] {
    if (auto* p = peer(bot_name)) chat = p->chat, bot_id = p->bot_id;
    return 0;
  });
  if (!chat) return 0;
  auto m = protocol::make_text(new_uuid(), node_id(), bot_id, now_ms(), std::string(bytes, 'f'));
  size_t sent = 0;
  const auto until = std::chrono::steady_clock::now() + duration;
  // From this thread: send() is thread-safe, and the client's own loop stays free.
  while (std::chrono::steady_clock::now() < until && chat->state() == peer::ChannelState::Open) {
    if (chat->buffered_amount() > (4u << 20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    m.message_id = new_uuid();
    if (chat->send_text(protocol::encode_chat_message(m))) ++sent;
  }
  return sent;
}

uint64_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

void Client::send_file(const std::string& bot_name, const std::string& name, const std::string& bytes) {
  // A minimal sender (§7.6): metadata on open, data after its ACK, paced on bufferedAmount.
  struct Sender {
    std::shared_ptr<peer::DataChannel> channel;
    std::string bytes;
    size_t sent = 0;
    std::string meta_id;
    bool acked = false;
  };
  on_loop([&] {
    auto* p = peer(bot_name);
    auto s = std::make_shared<Sender>();
    s->bytes = bytes;
    s->channel = p->pc->create_data_channel("file");
    s->channel->set_buffered_amount_low_threshold(256 * 1024);
    auto pump = [s] {
      while (s->acked && s->sent < s->bytes.size() && s->channel->buffered_amount() < (1 << 20)) {
        size_t n = std::min<size_t>(65536, s->bytes.size() - s->sent);
        s->channel->send_binary(std::string_view(s->bytes).substr(s->sent, n));
        s->sent += n;
      }
    };
    s->channel->on_buffered_amount_low(pump);
    auto reader = std::make_shared<protocol::FeedbackReader>();
    s->channel->on_message([s, reader](peer::DataMessage&& m) {
      std::vector<uint32_t> words;
      reader->feed(m.data, words);
      if (s->acked && s->sent == s->bytes.size() && reader->word_count() > 0 && reader->total() >= s->bytes.size())
        s->channel->close();
    });
    s->channel->on_open([this, p, s, name, pump] {
      protocol::ChatMessage m{new_uuid(), client_->node_id(), p->bot_id, now_ms()};
      m.file = protocol::FileMeta{"file", name, "application/octet-stream", s->bytes.size(), std::to_string(s->channel->id())};
      s->meta_id = m.message_id;
      // Watch the chat for this metadata's ACK.
      p->chat->on_message([this, p, s, pump](peer::DataMessage&& raw) {
        auto msg = protocol::decode_chat_message(raw.data);
        if (!msg) return;
        if (msg->ack && *msg->ack == s->meta_id) {
          s->acked = true;
          pump();
        }
        auto kind = protocol::kind_of(*msg);
        if (kind == protocol::ChatKind::text || kind == protocol::ChatKind::file)
          p->chat->send_text(protocol::encode_chat_message(
              protocol::make_ack(new_uuid(), client_->node_id(), p->bot_id, now_ms(), msg->message_id)));
        {
          std::lock_guard lock(mutex_);
          p->received.push_back({"chat", *msg});
          cv_.notify_all();
        }
        if (kind == protocol::ChatKind::file) {
          p->in_files[msg->file->dc_id].meta = msg->file;
          maybe_complete(p, msg->file->dc_id);
        }
      });
      p->chat->send_text(protocol::encode_chat_message(m));
    });
    return 0;
  });
}

}  // namespace parley::bots::test

namespace parley::bots::test {

double power_at(const std::vector<float>& x, int rate, double f) {
  double w = 2 * 3.14159265358979323846 * f / rate, c = 2 * std::cos(w), s1 = 0, s2 = 0;
  for (float v : x) {
    double s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / static_cast<double>(x.size());
}

double dominant_frequency(const std::vector<float>& x, int rate, double lo, double hi) {
  double best_f = 0, best_p = -1;
  for (double f = lo; f <= hi; f += 1.0) {
    double p = power_at(x, rate, f);
    if (p > best_p) best_p = p, best_f = f;
  }
  return best_f;
}

FakeLlm::FakeLlm() {
  io_ = std::make_unique<asio::io_context>();
  acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(*io_, asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0});
  port_ = acceptor_->local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

FakeLlm::~FakeLlm() {
  stop_ = true;
  boost::system::error_code ec;
  // Wake the blocking accept.
  asio::ip::tcp::socket s(*io_);
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)}, ec);
  thread_.join();
}

std::vector<std::string> FakeLlm::bodies() {
  std::lock_guard lock(mutex_);
  return bodies_;
}

std::vector<std::string> FakeLlm::authorizations() {
  std::lock_guard lock(mutex_);
  return auths_;
}

void FakeLlm::serve() {
  namespace http = beast::http;
  while (!stop_) {
    asio::ip::tcp::socket socket(*io_);
    boost::system::error_code ec;
    acceptor_->accept(socket, ec);
    if (ec || stop_) continue;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) continue;
    {
      std::lock_guard lock(mutex_);
      bodies_.push_back(req.body());
      auths_.push_back(std::string(req[http::field::authorization]));
    }
    json::error_code jec;
    auto body = json::parse(req.body(), jec);
    std::string last;
    bool stream = false;
    if (!jec && body.is_object()) {
      for (const auto& m : body.at("messages").as_array())
        if (m.at("role") == "user") last = std::string(m.at("content").as_string());
      stream = body.get_object().contains("stream") && body.at("stream").as_bool();
    }
    std::string reply = "You said: " + last;
    // One connection at a time: a delay also delays every request behind this one.
    if (int d = delay_ms_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(d));
    if (int status = fail_status_.exchange(0)) {
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.body() = R"({"error":{"message":"secret upstream detail"}})";
      res.prepare_payload();
      http::write(socket, res, ec);
      continue;
    }
    if (!stream || req.target() != "/v1/chat/completions") {
      http::response<http::string_body> res{req.target() == "/v1/chat/completions" ? http::status::ok : http::status::not_found, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = json::serialize(json::object{
          {"id", "x"}, {"choices", json::array{json::object{{"message", json::object{{"role", "assistant"}, {"content", reply}}}}}}});
      res.prepare_payload();
      http::write(socket, res, ec);
      continue;
    }
    // Streamed: a few deltas over ~1.2 s, so Append orders show up, then [DONE].
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(head), ec);
    std::vector<std::string> pieces;
    for (size_t i = 0; i < reply.size(); i += 4) pieces.push_back(reply.substr(i, 4));
    for (const auto& piece : pieces) {
      std::string event = "data: " + json::serialize(json::object{
          {"choices", json::array{json::object{{"delta", json::object{{"content", piece}}}}}}}) + "\n\n";
      asio::write(socket, asio::buffer(event), ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(1200 / std::max<size_t>(1, pieces.size())));
    }
    asio::write(socket, asio::buffer(std::string("data: [DONE]\n\n")), ec);
  }
}

}  // namespace parley::bots::test
