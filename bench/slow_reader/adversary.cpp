// parley-adversary: the two bad clients of the slow-reader benchmark (bench/slow_reader/run.sh),
// run beside parley-loadgen's honest relaying pairs until SIGINT/SIGTERM, then a JSON report.
//
//   slow reader  registers with a small SO_RCVBUF and never reads again; --feeders clients relay
//                frames to it at --feed-rate each (inside their rate budget) until one of them is
//                answered unknown_peer: the server dropped it. Then it reads what its socket still
//                holds (delivered = what made it into kernel buffers), and a new one takes its place.
//   flooder      registers and writes relays to a reading sink as fast as its socket takes them,
//                ignoring the close frame it is sent, until the server ends the TCP connection;
//                then reconnects after --flood-pause-ms.
//
// One thread, poll(2), non-blocking sockets. Frames are built by tests/support/ws_client_frame.hpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/ws_client_frame.hpp"

namespace json = boost::json;
using parley::test::masked_frame;
using Clock = std::chrono::steady_clock;

namespace {

volatile std::sig_atomic_t g_stop = 0;
// The adversary's own address (--from): a host of its own, as the server's abuse penalties see it.
in_addr g_from{htonl(0x7f000002)};
const Clock::time_point g_t0 = Clock::now();
double now_s() { return std::chrono::duration<double>(Clock::now() - g_t0).count(); }

// One client socket: the upgrade, masked frames out, the server's (unmasked) frames in.
struct Ws {
  int fd = -1;
  std::string in, out;
  std::size_t out_off = 0;
  bool upgraded = false, fin = false, broken = false;
  std::size_t bytes_written = 0;

  Ws(std::uint16_t port, int rcvbuf) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);  // before connect: sets the window
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr = g_from;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) broken = true;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!broken && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) broken = true;
    fcntl_nonblock();
    out = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  }
  ~Ws() {
    if (fd >= 0) ::close(fd);
  }
  Ws(const Ws&) = delete;
  Ws& operator=(const Ws&) = delete;

  void fcntl_nonblock() const;
  void text(const std::string& payload) { out += masked_frame(0x1, payload); }
  bool pending() const { return out_off < out.size(); }

  // Writes what it can; false once the server ended the connection.
  bool pump_write() {
    while (pending() && !broken) {
      const auto n = ::send(fd, out.data() + out_off, out.size() - out_off, MSG_NOSIGNAL);
      if (n > 0) {
        out_off += static_cast<std::size_t>(n);
        bytes_written += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        broken = true;
      }
    }
    if (!pending()) out.clear(), out_off = 0;
    return !broken;
  }

  // Reads what has arrived and hands each complete frame to `on_frame(opcode, payload)`.
  // False when the socket ended (fin = orderly end, broken = error or reset).
  template <class F>
  bool pump_read(F&& on_frame) {
    char buf[65536];
    for (;;) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) fin = true;
      else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) broken = true;
      break;
    }
    if (!upgraded) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) return !(fin || broken);
      if (in.compare(0, 12, "HTTP/1.1 101") != 0) broken = true;
      in.erase(0, end + 4);
      upgraded = true;
    }
    std::size_t pos = 0;
    while (in.size() - pos >= 2) {
      const auto* b = reinterpret_cast<const unsigned char*>(in.data() + pos);
      std::size_t hdr = 2, len = b[1] & 0x7F;
      if (len == 126) hdr = 4;
      if (len == 127) hdr = 10;
      if (in.size() - pos < hdr) break;
      if (hdr > 2) {
        len = 0;
        for (std::size_t i = 2; i < hdr; ++i) len = (len << 8) | b[i];
      }
      if (in.size() - pos < hdr + len) break;
      on_frame(b[0] & 0x0F, std::string_view(in.data() + pos + hdr, len));
      pos += hdr + len;
    }
    in.erase(0, pos);
    return !(fin || broken);
  }
};

void Ws::fcntl_nonblock() const { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

bool has(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

std::string node_id_of_register_reply(std::string_view f) {
  if (!has(f, "\"register\"")) return "";
  const auto v = json::parse(f);
  return std::string(v.at("node_id").as_string());
}

// The relayed frames: ICE candidates and every 5th an SDP offer, the sizes parley-loadgen uses.
std::string relay_frame(const std::string& to, std::uint64_t seq, const std::string& tag) {
  const bool sdp = seq % 5 == 0;
  const std::string body = tag + std::to_string(seq) + " " + std::string(sdp ? 1100 : 220, sdp ? 's' : 'c');
  return sdp ? R"({"sdp_offer":{"type":"offer","offer_json":")" + body + R"(","to_node_id":")" + to + R"("}})"
             : R"({"ice_offer":{"offer_json":")" + body + R"(","to_node_id":")" + to + R"("}})";
}

struct Options {
  std::uint16_t port = 0;
  int feeders = 16;
  double feed_rate = 19;  // frames/s per feeder: under the default budget (20/s), so never rate limited
  int slow_rcvbuf = 4096;
  bool slow = true, flood = true;
  double flood_pause_ms = 10;
  std::string json_out;
};

// ---- slow reader ----------------------------------------------------------------------------

struct SlowEpoch {
  double t_registered = 0, t_cut = 0, t_drained = 0;
  std::uint64_t sent = 0, unknown_peer = 0, rate_limited = 0;
  std::uint64_t delivered_relays = 0, delivered_bytes = 0, delivered_other = 0;
  int close_code = -1;  // close frame seen while draining; 0 = none (EOF), -2 = reset
};

struct Feeder {
  std::unique_ptr<Ws> ws;
  bool registered = false;
  std::uint64_t sent_epoch = 0;
};

class SlowReaderAttack {
public:
  explicit SlowReaderAttack(const Options& o) : o_(o) {
    for (int i = 0; i < o.feeders; ++i) {
      feeders_.push_back({std::make_unique<Ws>(o.port, 0)});
      feeders_.back().ws->text(R"({"register":{"node_name":"feeder)" + std::to_string(i) + R"("}})");
    }
  }

  void add_fds(std::vector<pollfd>& fds, std::vector<std::function<void()>>& handlers) {
    for (auto& f : feeders_) {
      fds.push_back({f.ws->fd, static_cast<short>(POLLIN | (f.ws->pending() ? POLLOUT : 0)), 0});
      handlers.push_back([this, &f] { on_feeder(f); });
    }
    if (slow_ && state_ != State::stuck) {
      fds.push_back({slow_->fd, static_cast<short>(POLLIN | (slow_->pending() ? POLLOUT : 0)), 0});
      handlers.push_back([this] { on_slow(); });
    } else if (slow_ && slow_->pending()) {
      fds.push_back({slow_->fd, POLLOUT, 0});
      handlers.push_back([this] { slow_->pump_write(); });
    }
  }

  void tick() {
    const double t = now_s();
    const bool all_registered = std::all_of(feeders_.begin(), feeders_.end(), [](auto& f) { return f.registered; });
    if (!all_registered) return;
    if (state_ == State::none) start_epoch();
    if (state_ == State::stuck) {
      // Feed at the rate; the first unknown_peer says the server dropped it.
      auto& e = epochs_.back();
      const auto due = static_cast<std::uint64_t>((t - e.t_registered) * o_.feed_rate) + 1;
      for (auto& f : feeders_)
        for (; f.sent_epoch < due; ++f.sent_epoch) {
          f.ws->text(relay_frame(slow_id_, e.sent, "feed "));
          ++e.sent;
        }
      for (auto& f : feeders_) f.ws->pump_write();
      if (e.unknown_peer > 0) {
        e.t_cut = t;
        state_ = State::settling;  // answers to frames still in flight are counted, then drain
      }
    } else if (state_ == State::settling && t - epochs_.back().t_cut > 0.3) {
      state_ = State::draining;
    } else if (state_ == State::draining && t - epochs_.back().t_cut > 3.0) {
      finish_epoch(-1);
    }
  }

  json::object report() const {
    json::array list;
    double cut_sum = 0;
    std::uint64_t lost_min = UINT64_MAX, lost_max = 0, acc_min = UINT64_MAX, acc_max = 0, done = 0;
    for (const auto& e : epochs_) {
      if (e.t_cut == 0) continue;
      ++done;
      const std::uint64_t accepted = e.sent - e.unknown_peer;
      const std::uint64_t lost = accepted - std::min(accepted, e.delivered_relays);
      cut_sum += e.t_cut - e.t_registered;
      lost_min = std::min(lost_min, lost), lost_max = std::max(lost_max, lost);
      acc_min = std::min(acc_min, accepted), acc_max = std::max(acc_max, accepted);
      if (list.size() < 20)
        list.push_back({{"seconds_to_cut", e.t_cut - e.t_registered}, {"relays_accepted", accepted},
                        {"unknown_peer", e.unknown_peer}, {"rate_limited", e.rate_limited},
                        {"delivered_relays", e.delivered_relays}, {"delivered_bytes", e.delivered_bytes},
                        {"delivered_other_frames", e.delivered_other}, {"lost_in_server_queue", lost},
                        {"close_code_seen", e.close_code}});
    }
    json::object r{{"feeders", o_.feeders}, {"feed_rate_per_feeder", o_.feed_rate}, {"rcvbuf", o_.slow_rcvbuf},
                   {"slow_readers", epochs_.size()}, {"cut_off", done}, {"epochs", list}};
    if (done) {
      r["mean_seconds_to_cut"] = cut_sum / static_cast<double>(done);
      r["relays_accepted_min"] = acc_min, r["relays_accepted_max"] = acc_max;
      r["lost_min"] = lost_min, r["lost_max"] = lost_max;
    }
    return r;
  }

private:
  enum class State { none, registering, stuck, settling, draining };

  void start_epoch() {
    slow_ = std::make_unique<Ws>(o_.port, o_.slow_rcvbuf);
    slow_->text(R"({"register":{"node_name":"slow)" + std::to_string(epochs_.size()) + R"("}})");
    slow_->pump_write();
    state_ = State::registering;
    epochs_.emplace_back();
    for (auto& f : feeders_) f.sent_epoch = 0;
  }

  void finish_epoch(int code) {
    epochs_.back().close_code = code;
    epochs_.back().t_drained = now_s();
    slow_.reset();
    state_ = State::none;
  }

  void on_slow() {
    auto& e = epochs_.back();
    slow_->pump_write();
    const bool alive = slow_->pump_read([&](int op, std::string_view f) {
      if (state_ == State::registering) {
        if (auto id = node_id_of_register_reply(f); !id.empty()) {
          slow_id_ = id;
          e.t_registered = now_s();
          state_ = State::stuck;  // from here on it never reads, until the server has dropped it
        }
        return;
      }
      if (op == 0x8) e.close_code = f.size() >= 2 ? (static_cast<unsigned char>(f[0]) << 8) | static_cast<unsigned char>(f[1]) : 1005;
      else if (has(f, "feed ")) ++e.delivered_relays, e.delivered_bytes += f.size();
      else ++e.delivered_other;
    });
    if (!alive && state_ == State::draining) finish_epoch(e.close_code >= 0 ? e.close_code : slow_->broken ? -2 : 0);
  }

  void on_feeder(Feeder& f) {
    f.ws->pump_write();
    f.ws->pump_read([&](int, std::string_view frame) {
      if (!f.registered && !node_id_of_register_reply(frame).empty()) f.registered = true;
      if (epochs_.empty() || !has(frame, "\"error\"")) return;
      if (has(frame, "unknown_peer")) ++epochs_.back().unknown_peer;
      if (has(frame, "rate_limited")) ++epochs_.back().rate_limited;
    });
  }

  const Options& o_;
  std::vector<Feeder> feeders_;
  std::unique_ptr<Ws> slow_;
  std::string slow_id_;
  State state_ = State::none;
  std::vector<SlowEpoch> epochs_;
};

// ---- flooder --------------------------------------------------------------------------------

struct FloodEpoch {
  double t_start = 0, t_close_frame = 0, t_fin = 0, t_end = 0;
  int close_code = 0;
  std::uint64_t bytes_written = 0, bytes_after_close = 0, relayed = 0, rate_limited_errors = 0;
};

class FloodAttack {
public:
  explicit FloodAttack(const Options& o) : o_(o), sink_(std::make_unique<Ws>(o.port, 0)) {
    sink_->text(R"({"register":{"node_name":"flood-sink"}})");
  }

  void add_fds(std::vector<pollfd>& fds, std::vector<std::function<void()>>& handlers) {
    fds.push_back({sink_->fd, static_cast<short>(POLLIN | (sink_->pending() ? POLLOUT : 0)), 0});
    handlers.push_back([this] { on_sink(); });
    if (flooder_) {
      fds.push_back({flooder_->fd, static_cast<short>((flooder_->fin ? 0 : POLLIN) | POLLOUT), 0});
      handlers.push_back([this] { on_flooder(); });
    }
  }

  void tick() {
    if (sink_id_.empty() || flooder_) return;
    if (now_s() - last_end_ < o_.flood_pause_ms / 1000) return;
    flooder_ = std::make_unique<Ws>(o_.port, 0);
    flooder_->text(R"({"register":{"node_name":"flooder"}})");
    epochs_.push_back({now_s()});
    blasting_ = false;
    // Many relays per write: the flooder spends as little CPU as possible per byte it sends.
    const std::string tag = "flood" + std::to_string(epochs_.size()) + " ";
    chunk_.clear();
    for (int i = 0; i < 256; ++i) chunk_ += masked_frame(0x1, relay_frame(sink_id_, 1 + static_cast<std::uint64_t>(i % 4), tag));
  }

  json::object report() const {
    std::map<int, std::uint64_t> codes;
    double to_close = 0, to_end = 0;
    std::uint64_t relayed = 0, bytes = 0, after = 0, done = 0;
    json::array first;
    for (const auto& e : epochs_) {
      if (e.t_end == 0) continue;
      ++done;
      ++codes[e.close_code];
      to_close += e.t_close_frame > 0 ? e.t_close_frame - e.t_start : 0;
      to_end += e.t_end - e.t_start;
      relayed += e.relayed, bytes += e.bytes_written, after += e.bytes_after_close;
      if (first.size() < 5)
        first.push_back({{"close_code", e.close_code}, {"ms_to_close_frame", 1e3 * (e.t_close_frame - e.t_start)},
                         {"ms_to_fin", e.t_fin > 0 ? 1e3 * (e.t_fin - e.t_start) : -1.0},
                         {"ms_to_tcp_end", 1e3 * (e.t_end - e.t_start)}, {"bytes_written", e.bytes_written},
                         {"bytes_written_after_close_frame", e.bytes_after_close}, {"relayed_to_sink", e.relayed},
                         {"rate_limited_errors_seen", e.rate_limited_errors}});
    }
    json::object c;
    for (const auto& [code, n] : codes) c[std::to_string(code)] = n;
    json::object r{{"connections", epochs_.size()}, {"ended", done}, {"close_codes", c}, {"first", first},
                   {"relayed_to_sink_total", sink_relays_}, {"bytes_written_total", bytes}};
    if (done) {
      const auto d = static_cast<double>(done);
      r["mean_ms_to_close_frame"] = 1e3 * to_close / d;
      r["mean_ms_to_tcp_end"] = 1e3 * to_end / d;
      r["mean_relayed_per_connection"] = static_cast<double>(relayed) / d;
      r["mean_mib_written_per_connection"] = static_cast<double>(bytes) / d / 1048576.0;
      r["mean_mib_written_after_close_frame"] = static_cast<double>(after) / d / 1048576.0;
    }
    return r;
  }

private:
  void on_sink() {
    sink_->pump_write();
    sink_->pump_read([&](int, std::string_view f) {
      if (sink_id_.empty()) sink_id_ = node_id_of_register_reply(f);
      if (!has(f, "flood")) return;
      ++sink_relays_;
      if (!epochs_.empty() && has(f, "flood" + std::to_string(epochs_.size()) + " ")) ++epochs_.back().relayed;
    });
  }

  void on_flooder() {
    auto& e = epochs_.back();
    if (!flooder_->fin)
      flooder_->pump_read([&](int op, std::string_view f) {
        if (!blasting_ && !node_id_of_register_reply(f).empty()) blasting_ = true;
        if (op == 0x1 && has(f, "rate_limited")) ++e.rate_limited_errors;
        if (op == 0x8 && e.t_close_frame == 0) {
          e.t_close_frame = now_s();
          e.close_code = f.size() >= 2 ? (static_cast<unsigned char>(f[0]) << 8) | static_cast<unsigned char>(f[1]) : 1005;
          bytes_at_close_ = flooder_->bytes_written;
        }
      });
    if (flooder_->fin && e.t_fin == 0) e.t_fin = now_s();
    // It ignores the close frame and the server's FIN: it writes until the connection is reset.
    if (blasting_ && !flooder_->pending()) flooder_->out = chunk_;
    const bool alive = flooder_->pump_write() && !flooder_->broken;
    if (!alive) {
      e.t_end = now_s();
      e.bytes_written = flooder_->bytes_written;
      e.bytes_after_close = e.t_close_frame > 0 ? flooder_->bytes_written - bytes_at_close_ : 0;
      flooder_.reset();
      last_end_ = now_s();
    }
  }

  const Options& o_;
  std::unique_ptr<Ws> sink_, flooder_;
  std::string sink_id_, chunk_;
  bool blasting_ = false;
  std::uint64_t sink_relays_ = 0, bytes_at_close_ = 0;
  double last_end_ = -1e9;
  std::vector<FloodEpoch> epochs_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"parley-adversary: a client that never reads and one that floods, against parley-server"};
  app.add_option("--port", o.port, "parley-server's port on 127.0.0.1")->required();
  app.add_option("--feeders", o.feeders, "clients relaying to the slow reader");
  app.add_option("--feed-rate", o.feed_rate, "frames/s each feeder relays to the slow reader");
  app.add_option("--slow-rcvbuf", o.slow_rcvbuf, "SO_RCVBUF of the slow reader, bytes");
  app.add_flag("--slow,!--no-slow", o.slow, "run the slow reader");
  app.add_flag("--flood,!--no-flood", o.flood, "run the flooder");
  app.add_option("--flood-pause-ms", o.flood_pause_ms, "pause before the flooder reconnects");
  app.add_option("--json", o.json_out, "also write the report to this file");
  std::string from = "127.0.0.2";
  app.add_option("--from", from, "local IPv4 address to connect from (another loopback address = another host)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (::inet_pton(AF_INET, from.c_str(), &g_from) != 1) {
    std::cerr << "--from must be an IPv4 address\n";
    return 2;
  }
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });

  std::unique_ptr<SlowReaderAttack> slow;
  std::unique_ptr<FloodAttack> flood;
  if (o.slow) slow = std::make_unique<SlowReaderAttack>(o);
  if (o.flood) flood = std::make_unique<FloodAttack>(o);
  std::vector<pollfd> fds;
  std::vector<std::function<void()>> handlers;
  while (!g_stop) {
    fds.clear(), handlers.clear();
    if (slow) slow->add_fds(fds, handlers);
    if (flood) flood->add_fds(fds, handlers);
    if (::poll(fds.data(), fds.size(), 5) > 0)
      for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents) handlers[i]();
    if (slow) slow->tick();
    if (flood) flood->tick();
  }
  json::object r{{"seconds", now_s()}};
  if (slow) r["slow_reader"] = slow->report();
  if (flood) r["flooder"] = flood->report();
  const auto text = json::serialize(r);
  std::printf("%s\n", text.c_str());
  if (!o.json_out.empty()) std::ofstream(o.json_out) << text << "\n";
  return 0;
}
