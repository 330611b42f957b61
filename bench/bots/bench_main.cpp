// parley-bench-bots
//   throughput [--mib N] [--chunk BYTES] [--threads separate|shared]
//                                          two C++ peers, binary with back-pressure; by default each
//                                          peer has its own factory (own network thread), as two
//                                          processes would
//   setup [--runs N]                       time from creating two peers to an open data channel
//   hold --ws URL --bot-pid PID [--steps 100,250,500]
//                                          N web-client-like peers against EchoBot; samples the bot
//                                          process's RSS and threads at each step
// Results are printed as "key value" lines for run.sh.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "bots/signalling_client.hpp"
#include "bots/util.hpp"
#include "peer/factory.hpp"
#include "protocol/chat_message.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace parley;
using Clock = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

struct Loop {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~Loop() {
    guard.reset();
    io.stop();
    thread.join();
  }
  peer::Executor executor() {
    return [this](std::function<void()> f) { asio::post(io, std::move(f)); };
  }
  template <class F>
  auto run(F&& f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::forward<F>(f));
    auto r = task.get_future();
    asio::post(io, [&task] { task(); });
    return r.get();
  }
};

// Two in-process peers wired together; `open` is set when both ends of "chat" are open.
struct Pair {
  std::shared_ptr<peer::PeerConnection> a, b;
  std::shared_ptr<peer::DataChannel> ca, cb;
  std::promise<void> open;
  int opened = 0;
};

// `fa` and `fb` may be one factory (one network thread for both ends) or two (like two processes).
std::shared_ptr<Pair> make_pair(peer::Factory& fa, peer::Factory& fb) {
  auto p = std::make_shared<Pair>();
  std::weak_ptr<Pair> w = p;
  peer::PeerCallbacks a, b;
  a.on_local_description = [w](const peer::SessionDescription& d) { if (auto p = w.lock()) p->b->set_remote_description(d); };
  a.on_local_candidate = [w](const peer::IceCandidate& c) { if (auto p = w.lock()) p->b->add_remote_candidate(c); };
  b.on_local_description = [w](const peer::SessionDescription& d) { if (auto p = w.lock()) p->a->set_remote_description(d); };
  b.on_local_candidate = [w](const peer::IceCandidate& c) { if (auto p = w.lock()) p->a->add_remote_candidate(c); };
  auto opened = [w] {
    if (auto p = w.lock(); p && ++p->opened == 2) p->open.set_value();
  };
  b.on_data_channel = [w, opened](std::shared_ptr<peer::DataChannel> ch) {
    auto p = w.lock();
    if (!p) return;
    p->cb = ch;
    if (ch->state() == peer::ChannelState::Open) opened(); else ch->on_open(opened);
  };
  p->a = fa.create({}, a);
  p->b = fb.create({}, b);
  p->ca = p->a->create_data_channel("chat");
  p->ca->on_open(opened);
  p->a->offer();
  return p;
}

int throughput(int argc, char** argv) {
  const uint64_t total = std::stoull(arg(argc, argv, "--mib", "200")) << 20;
  const size_t chunk = std::stoul(arg(argc, argv, "--chunk", "65536"));
  const bool shared = arg(argc, argv, "--threads", "separate") == "shared";
  // Back-pressure of PROTOCOL.md §7.6 by default (pause above 1 MiB, resume at 256 KiB).
  const size_t high = std::stoul(arg(argc, argv, "--high-kib", "1024")) << 10;
  const size_t low = std::stoul(arg(argc, argv, "--low-kib", "256")) << 10;
  // The SCTP receive window of both peers (parley-bots --sctp-receive-window); 5120 is libwebrtc's.
  const uint64_t window = std::stoull(arg(argc, argv, "--rwnd-kib", "384")) << 10;
  Loop loop;
  peer::FactoryOptions options{loop.executor(), true};
  options.sctp_receive_window = window;
  // 0 leaves the kernel's default (what libwebrtc alone does); parley's default is 3x the window.
  options.udp_receive_buffer = std::stoull(arg(argc, argv, "--udp-rcvbuf-kib", std::to_string(3 * (window >> 10)))) << 10;
  peer::Factory factory(options);
  peer::Factory other(options);
  auto pair = loop.run([&] { return make_pair(factory, shared ? factory : other); });
  pair->open.get_future().wait();
  std::promise<void> done;
  uint64_t received = 0, sent = 0;
  std::string block(chunk, 'x');
  Clock::time_point start;
  std::function<void()> pump;
  loop.run([&] {
    pair->cb->on_message([&](peer::DataMessage&& m) {
      received += m.data.size();
      if (received == total) done.set_value();
    });
    pair->ca->set_buffered_amount_low_threshold(low);
    pump = [&] {
      while (sent < total && pair->ca->buffered_amount() <= high) {
        size_t n = std::min<uint64_t>(chunk, total - sent);
        if (!pair->ca->send_binary(std::string_view(block).substr(0, n))) return;
        sent += n;
      }
    };
    pair->ca->on_buffered_amount_low([&] { pump(); });
    start = Clock::now();
    pump();
    return 0;
  });
  done.get_future().wait();
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "throughput_mb_s " << static_cast<double>(total) / s / 1e6 << "\nthroughput_network_threads "
            << (shared ? 1 : 2) << "\n"
            << "throughput_bytes " << total << "\nthroughput_chunk " << chunk << "\nthroughput_rwnd_kib " << (window >> 10)
            << "\nthroughput_udp_rcvbuf_kib " << (options.udp_receive_buffer >> 10)
            << "\nthroughput_seconds " << s << "\n";
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
  return 0;
}

int setup(int argc, char** argv) {
  const int runs = std::stoi(arg(argc, argv, "--runs", "30"));
  Loop loop;
  peer::Factory factory({loop.executor(), true});
  peer::Factory other({loop.executor(), true});
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    auto pair = loop.run([&] { return make_pair(factory, other); });
    pair->open.get_future().wait();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "setup_runs " << runs << "\nsetup_ms_median " << ms[ms.size() / 2] << "\nsetup_ms_p90 "
            << ms[ms.size() * 9 / 10] << "\nsetup_ms_min " << ms.front() << "\n";
  return 0;
}

std::pair<long, int> proc_status(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  long rss = -1;
  int threads = -1;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    if (line.rfind("Threads:", 0) == 0) threads = std::stoi(line.substr(8));
  }
  return {rss, threads};
}


// One load peer: its own signalling connection (its own node id) and one connection to EchoBot.
struct LoadPeer {
  std::shared_ptr<bots::SignallingClient> client;
  std::shared_ptr<peer::PeerConnection> pc;
  std::shared_ptr<peer::DataChannel> chat;
  std::string bot;
  bool echoed = false;
};

int hold(int argc, char** argv) {
  const std::string ws = arg(argc, argv, "--ws", "");
  const int bot_pid = std::stoi(arg(argc, argv, "--bot-pid", "0"));
  const std::string bot_id = arg(argc, argv, "--bot-id", "");
  std::vector<int> steps;
  std::stringstream ss(arg(argc, argv, "--steps", "100,250,500"));
  for (std::string s; std::getline(ss, s, ',');) steps.push_back(std::stoi(s));
  Loop loop;
  peer::Factory factory({loop.executor(), true});
  std::vector<std::unique_ptr<LoadPeer>> peers;
  std::atomic<int> echoed{0};
  auto [rss0, threads0] = proc_status(bot_pid);
  std::cout << "hold_0_rss_kib " << rss0 << "\nhold_0_threads " << threads0 << std::endl;
  for (int step : steps) {
    while (static_cast<int>(peers.size()) < step) {
      auto lp = std::make_unique<LoadPeer>();
      auto* raw = lp.get();
      lp->bot = bot_id;
      std::promise<void> registered;
      loop.run([&] {
        bots::SignallingOptions o;
        o.url = ws;
        o.bot_name = "load" + std::to_string(peers.size());
        o.reconnect = false;
        o.ping_period = std::chrono::seconds(5);
        bots::SignallingEvents e;
        e.on_registered = [&registered](const std::string&, const std::string&) { registered.set_value(); };
        e.on_sdp = [raw](const std::string&, const std::string& type, const std::string& j) {
          raw->pc->set_remote_description({type, std::string(json::parse(j).at("sdp").as_string())});
        };
        e.on_ice = [raw](const std::string&, const std::string& j) {
          auto o = json::parse(j).as_object();
          raw->pc->add_remote_candidate({std::string(o.at("candidate").as_string()), std::string(o.at("sdpMid").as_string()),
                                         static_cast<int>(o.at("sdpMLineIndex").as_int64()), ""});
        };
        raw->client = std::make_shared<bots::SignallingClient>(loop.io, std::move(o), std::move(e));
        raw->client->start();
        return 0;
      });
      if (registered.get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        std::cerr << "signalling registration timed out\n";
        return 1;
      }
      loop.run([&] {
        peer::PeerCallbacks cb;
        cb.on_local_description = [raw](const peer::SessionDescription& d) {
          raw->client->send_sdp(raw->bot, d.type, json::serialize(json::object{{"type", d.type}, {"sdp", d.sdp}}));
        };
        cb.on_local_candidate = [raw](const peer::IceCandidate& c) {
          raw->client->send_ice(raw->bot, json::serialize(json::object{
                                              {"candidate", c.candidate}, {"sdpMid", c.sdp_mid}, {"sdpMLineIndex", c.sdp_mline_index}}));
        };
        raw->pc = factory.create({}, cb);
        raw->chat = raw->pc->create_data_channel("chat");
        raw->chat->on_open([raw] {
          raw->chat->send_text(protocol::encode_chat_message(
              protocol::make_text(bots::new_uuid(), raw->client->node_id(), raw->bot, bots::now_ms(), "ping")));
        });
        raw->chat->on_message([raw, &echoed](peer::DataMessage&& m) {
          auto msg = protocol::decode_chat_message(m.data);
          if (msg && msg->message && *msg->message == "ping" && !raw->echoed) raw->echoed = true, ++echoed;
        });
        raw->pc->offer();
        return 0;
      });
      peers.push_back(std::move(lp));
    }
    // Every peer got its echo: all connections are really up.
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (echoed < step && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // settle
    auto [rss, threads] = proc_status(bot_pid);
    std::cout << "hold_" << step << "_echoed " << echoed.load() << "\nhold_" << step << "_rss_kib " << rss << "\nhold_"
              << step << "_threads " << threads << std::endl;
  }
  loop.run([&] {
    for (auto& p : peers) p->pc->close(), p->client->stop();
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: parley-bench-bots throughput|setup|hold [options]\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::string mode = argv[1];
  if (mode == "throughput") return throughput(argc, argv);
  if (mode == "setup") return setup(argc, argv);
  if (mode == "hold") return hold(argc, argv);
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}
