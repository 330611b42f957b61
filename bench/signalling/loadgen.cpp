// parley-loadgen: a WebSocket load generator for signalling servers.
//
// Speaks two protocols:
//   parley  PROTOCOL.md §2: ws://host:port/ws, {"register":...}, relay of sdp_offer / ice_offer.
//   peerjs  PeerServer (npm "peer"): ws://host:port/peerjs?key=K&id=I&token=T, {"type":"OPEN"},
//           relay of {"type":"OFFER"|"CANDIDATE","dst":...,"payload":...}.
//
// Phases (one per run):
//   idle        open --connections clients, register them, hold them, report the count reached and
//               the server's RSS per connection (VmRSS of --server-pid before and after).
//   throughput  2*--pairs clients in random pairs relay frames to their partner; --rate 0 is
//               closed-loop (--window frames in flight per sender), --rate R is open-loop R frames/s.
//   latency     as throughput, open-loop at --rate; p50/p99/p999 from the send timestamp embedded in
//               the payload to receipt. Latency is measured from the *intended* send time, so a
//               stalled server or a late load generator cannot hide queueing (no coordinated omission).
//   handshake   (parley) --concurrency dialers each connect, [TLS handshake], upgrade, read the 101 and
//               reset the connection, over and over: new connections per second and server CPU per one.
//
// wss:// URLs (with --tls-ca, the CA the server certificate must verify against) run every phase
// over TLS; a plain ws:// connection takes exactly the same code path as without TLS support.
//
// Every relayed payload carries a marker "BTS<t15>.<sender7>.<seq10>" (t = ns since loadgen start)
// inside the SDP text or the ICE candidate string, where neither protocol escapes anything, so the
// receiver finds it with one memmem and no JSON parse. The first --verify received relay frames are
// also parsed in full and checked (sender id stamped by the server, target, payload unchanged).
//
// Single-threaded, asynchronous, one io_context. The WebSocket client side is deliberately lean
// (RFC 6455 framing by hand, reads into one shared scratch buffer, all queued frames of a
// connection written in one gathered write): the load generator shares two cores with the server,
// so every microsecond it spends per frame is taken from the server under test.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <CLI/CLI.hpp>

#include "tls_buffered.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace json = boost::json;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsSocket = ssl::stream<tcp::socket&>;  // TLS over a Conn's own socket
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace {

const Clock::time_point g_start = Clock::now();
uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - g_start).count());
}
double now_s() { return static_cast<double>(now_ns()) / 1e9; }

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string mode = "parley";
  std::string phase = "idle";
  std::string url;
  std::string key = "peerjs";
  std::string tls_ca;  // wss://: verify the server certificate against this CA
  std::size_t connections = 0;
  std::size_t pairs = 500;
  double rate = 0;
  std::size_t window = 4;
  double per_conn_max_rate = 0;
  double duration = 20;
  double warmup = 3;
  double hold = 10;
  double settle = 3;
  double ramp_timeout = 900;
  double handshake_timeout = 20;
  double keepalive = 30;
  int server_pid = 0;
  std::size_t source_ips = 0;
  std::size_t concurrency = 256;
  std::size_t verify = 2000;
  std::size_t sdp_every = 5;
  std::size_t sdp_bytes = 1024;
  std::size_t ice_bytes = 200;
  double tick_us = 100;
  bool do_register = true;
  std::string json_out;
  std::string label;
  unsigned seed = 1;
};

// ---------------------------------------------------------------------------------------------
// /proc helpers

long proc_status_kib(int pid, const char* field) {
  std::ifstream f("/proc/" + (pid > 0 ? std::to_string(pid) : std::string("self")) + "/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(f, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') return std::atol(line.c_str() + n + 1);
  return -1;
}

// utime + stime of a process, in seconds.
double proc_cpu_s(int pid) {
  std::ifstream f("/proc/" + (pid > 0 ? std::to_string(pid) : std::string("self")) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto p = s.rfind(')');
  if (p == std::string::npos) return -1;
  std::istringstream in(s.substr(p + 2));
  std::string tok;
  unsigned long long ut = 0, st = 0;
  for (int i = 3; i <= 15 && in >> tok; ++i) {  // field 3 is the state
    if (i == 14) ut = std::stoull(tok);
    if (i == 15) st = std::stoull(tok);
  }
  return static_cast<double>(ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Busy CPU time of the whole machine (all cores), in seconds: to tell how much of the machine
// other processes took while we measured (the machine is shared).
double machine_busy_s() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  unsigned long long v[8] = {};
  f >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6] >> v[7];
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];  // all but idle and iowait
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// ---------------------------------------------------------------------------------------------
// Payloads. The same SDP text and the same candidate text go into both protocols.

constexpr std::size_t kMarkerLen = 3 + 15 + 1 + 7 + 1 + 10;  // BTS<t15>.<idx7>.<seq10>
const std::string kMarkerPlaceholder = "BTS" + std::string(15, '0') + "." + std::string(7, '0') + "." + std::string(10, '0');

// A realistic data-channel + audio offer, trimmed or padded (with a=x-pad) to about `bytes` of SDP.
std::string make_sdp(std::size_t bytes) {
  std::string s =
      "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:Xk3d\r\na=ice-pwd:9Nq8vJm2Lr5TtY7uWz0aBcDe\r\na=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 4F:2A:91:0C:7B:E3:55:18:AD:6F:C2:09:3E:B4:71:8D:20:F5:6A:C9:13:7E:44:B2:9A:05:D8:61:EF:3C:72:1B\r\n"
      "a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:Xk3d\r\na=ice-pwd:9Nq8vJm2Lr5TtY7uWz0aBcDe\r\na=ice-options:trickle\r\n"
      "a=setup:actpass\r\na=mid:1\r\na=sendrecv\r\na=msid:- 7c1f2e55-3b0a-4f4e-9d1c-2a9b6c0e8f11\r\n"
      "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\na=ssrc:2873645012 cname:pQ3vR8sT1uW4xY7z\r\n";
  s += "a=x-bench:" + kMarkerPlaceholder + "\r\n";
  const std::string pad_head = "a=x-pad:", pad_tail = "\r\n";
  if (s.size() + pad_head.size() + pad_tail.size() < bytes)
    s += pad_head + std::string(bytes - s.size() - pad_head.size() - pad_tail.size(), 'p') + pad_tail;
  return s;
}

std::string make_candidate(std::size_t bytes) {
  std::string s =
      "candidate:842163049 1 udp 1677729535 192.0.2.10 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 "
      "ufrag Xk3d network-cost 999 x-bench " + kMarkerPlaceholder;
  if (s.size() + 8 < bytes) s += " x-pad " + std::string(bytes - s.size() - 7, 'p');
  return s;
}

std::string json_str(std::string_view s) { return json::serialize(json::value(json::string(s))); }

// A frame template, with the offset of the marker's placeholder in it.
struct Template {
  std::string text;
  std::size_t marker = std::string::npos;
};

Template make_template(std::string text) {
  Template t;
  t.marker = text.find(kMarkerPlaceholder);
  t.text = std::move(text);
  return t;
}

struct Payloads {
  std::string sdp, candidate;
  std::string parley_sdp_offer_json, parley_ice_offer_json;  // the offer_json strings (JSON text)
  json::value peerjs_sdp_payload, peerjs_ice_payload;
};

Payloads make_payloads(const Options& o) {
  Payloads p;
  p.sdp = make_sdp(o.sdp_bytes);
  p.candidate = make_candidate(o.ice_bytes);
  p.parley_sdp_offer_json = json::serialize(json::object{{"type", "offer"}, {"sdp", p.sdp}});
  p.parley_ice_offer_json = json::serialize(
      json::object{{"candidate", p.candidate}, {"sdpMid", "0"}, {"sdpMLineIndex", 0}, {"usernameFragment", "Xk3d"}});
  // What a PeerJS client sends: the SDP/candidate object plus its connection bookkeeping.
  p.peerjs_sdp_payload = json::object{{"sdp", json::object{{"type", "offer"}, {"sdp", p.sdp}}},
                                      {"type", "data"},
                                      {"connectionId", "dc_bench0000000000"}};
  p.peerjs_ice_payload = json::object{
      {"candidate",
       json::object{{"candidate", p.candidate}, {"sdpMid", "0"}, {"sdpMLineIndex", 0}, {"usernameFragment", "Xk3d"}}},
      {"type", "data"},
      {"connectionId", "dc_bench0000000000"}};
  return p;
}

void write_digits(char* out, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

uint64_t read_digits(const char* p, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = v * 10 + static_cast<uint64_t>(p[i] - '0');
  return v;
}

// ---------------------------------------------------------------------------------------------
// Percentiles over stored samples (microseconds, as doubles).

struct Samples {
  std::vector<float> v;  // µs
  double pct(double q) {
    if (v.empty()) return -1;
    std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }
  double max() { return v.empty() ? -1 : *std::max_element(v.begin(), v.end()); }
  double mean() {
    if (v.empty()) return -1;
    double s = 0;
    for (float x : v) s += x;
    return s / static_cast<double>(v.size());
  }
};

// ---------------------------------------------------------------------------------------------
// Connections

enum class State : uint8_t { idle, connecting, handshaking, registering, registered, closed, failed };

struct Conn {
  Conn(net::io_context& ioc, uint32_t i) : sock(ioc), index(i) {}
  tcp::socket sock;
  std::unique_ptr<TlsSocket> tls;  // wss:// only
  std::vector<char> tls_in;        // wss:// only: TLS reads complete later, so no shared scratch buffer
  std::string in;         // bytes of an incomplete frame (or HTTP response) carried between reads
  std::string fragments;  // a fragmented message being assembled (rare)
  std::string out;        // frames queued, written in one go when the current write ends
  std::string out_flight; // frames being written
  uint64_t deadline_ns = 0;  // connect + upgrade + register must finish by then
  std::string id;  // node id (parley, from the register reply) or peer id (peerjs, ours)
  uint32_t index;
  int32_t partner = -1;
  State state = State::idle;
  bool writing = false;
  bool in_ramp = false;  // counted in the ramp's in-flight window
  uint32_t inflight = 0;  // closed loop: frames sent and not yet received by the partner
  uint64_t seq = 0;       // next sequence number sent
  uint64_t rx_seq = 0;    // next sequence number expected from the partner
  double tokens = 0;      // per-connection rate cap (closed loop)
  uint64_t tokens_at = 0;
  uint64_t keepalive_seq = 0;
  Template tpl_sdp, tpl_ice;
};

class Bench {
 public:
  explicit Bench(Options o)
      : opt_(std::move(o)), ioc_(1), tick_(ioc_), ka_timer_(ioc_), deadline_timer_(ioc_), signals_(ioc_, SIGINT, SIGTERM),
        scratch_(256 * 1024) {}

  int run();

 private:
  // set-up
  bool parse_url();
  bool make_tls_context();
  std::unique_ptr<TlsSocket> new_tls(tcp::socket& s);
  bool open_socket(tcp::socket& s, std::size_t source, error_code& ec);
  std::string upgrade_request(const std::string& target) const;
  std::string target_for(const Conn& c) const;
  void build_templates(Conn& c);

  // ramp
  void launch();
  void start_conn(Conn& c);
  void send_upgrade(Conn& c);
  void on_open(Conn& c);
  void ramp_done_one(Conn& c, bool ok);
  void fail(Conn& c, const error_code& ec, const char* where);
  void fail(Conn& c, const std::string& what);

  // I/O
  void do_read(Conn& c);
  void on_readable(Conn& c);
  bool parse_frames(Conn& c, const char* p, std::size_t n);
  bool on_handshake_bytes(Conn& c, const char* p, std::size_t n);
  void send(Conn& c, std::string_view payload, uint8_t opcode = 0x1);
  void do_write(Conn& c);
  void deadline_tick();
  void on_frame(Conn& c, std::string_view f);
  void on_relay(Conn& c, std::string_view f, std::size_t marker);
  void verify_relay(Conn& c, std::string_view f, uint32_t sender);
  void on_control(Conn& c, std::string_view f);
  void count_error(const std::string& what) { ++errors_[what]; }

  // load
  void send_relay(Conn& c, uint64_t stamp_ns);
  void fill_window(Conn& c);
  void tick();
  void keepalive_tick();

  // phases
  void wait_until(const std::function<bool()>& done, double timeout_s);
  void sleep_for(double s) {
    wait_until([] { return false; }, s);
  }
  void phase_idle(json::object& out);
  void phase_relay(json::object& out);
  void ramp(std::size_t n, json::object& out);

  // handshake phase
  struct Dialer {
    explicit Dialer(net::io_context& ioc) : sock(ioc) {}
    tcp::socket sock;
    std::unique_ptr<TlsSocket> tls;
    std::string req, in;
    uint64_t t0 = 0;
    bool busy = false;
  };
  void phase_handshake(json::object& out);
  void dial(Dialer& d);
  template <class Stream> void dial_upgrade(Dialer& d, Stream& s);
  void dial_end(Dialer& d, const std::string& error);

  Options opt_;
  net::io_context ioc_;
  net::steady_timer tick_, ka_timer_, deadline_timer_;
  net::signal_set signals_;
  std::vector<char> scratch_;  // one read buffer shared by all connections (single thread)
  std::string frame_;          // scratch for building one payload
  uint64_t mask_state_ = 0x9e3779b97f4a7c15ULL;
  bool interrupted_ = false;
  std::string host_, host_header_, path_;
  std::unique_ptr<ssl::context> tls_ctx_;  // set for wss:// URLs
  bool host_is_ip_ = false;
  uint16_t port_ = 0;
  tcp::endpoint server_ep_;
  std::vector<net::ip::address_v4> sources_;
  Payloads payloads_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::mt19937_64 rng_;

  // ramp state
  std::size_t next_ = 0, ramp_n_ = 0, ramp_inflight_ = 0, ramp_finished_ = 0, consecutive_fail_ = 0;
  bool ramp_stopped_ = false;
  std::size_t opened_ = 0, registered_ = 0, failed_ = 0, closed_after_open_ = 0;
  std::map<std::string, std::size_t> errors_;

  // counters
  uint64_t online_rx_ = 0, offline_rx_ = 0, pong_rx_ = 0, other_rx_ = 0, keepalive_tx_ = 0;
  uint64_t relay_tx_ = 0, relay_rx_ = 0, relay_bytes_tx_ = 0, misrouted_ = 0, reordered_ = 0, gaps_ = 0;
  uint64_t verified_ = 0, verify_failed_ = 0, skipped_backlog_ = 0;
  std::string first_verify_failure_;

  // load state
  enum class Load { off, closed_loop, open_loop } load_ = Load::off;
  std::vector<uint32_t> senders_;
  std::size_t rr_ = 0;
  uint64_t load_t0_ = 0, scheduled_ = 0;
  bool measuring_ = false;
  uint64_t win_t0_ = 0, win_t1_ = UINT64_MAX;
  uint64_t win_rx_ = 0, win_tx_ = 0;
  Samples lat_, lag_;
  std::size_t max_wq_ = 0;

  // handshake phase state
  std::vector<std::unique_ptr<Dialer>> dialers_;
  std::size_t dials_ = 0;
  uint64_t hs_ok_ = 0, hs_failed_ = 0, hs_win_ = 0;
  Samples hs_lat_;
};

// ---------------------------------------------------------------------------------------------

bool Bench::parse_url() {
  std::string u = opt_.url;
  const bool wss = u.rfind("wss://", 0) == 0;
  if (!wss && u.rfind("ws://", 0) != 0) {
    std::fprintf(stderr, "--url must start with ws:// or wss:// (got %s)\n", u.c_str());
    return false;
  }
  if (wss != !opt_.tls_ca.empty()) {
    std::fprintf(stderr, "wss:// URLs need --tls-ca (the CA to verify the server against), and --tls-ca needs a wss:// URL\n");
    return false;
  }
  u = u.substr(wss ? 6 : 5);
  auto slash = u.find('/');
  std::string hostport = u.substr(0, slash);
  path_ = slash == std::string::npos ? "/" : u.substr(slash);
  auto colon = hostport.rfind(':');
  host_ = hostport.substr(0, colon);
  port_ = colon == std::string::npos ? (wss ? 443 : 80) : static_cast<uint16_t>(std::stoi(hostport.substr(colon + 1)));
  host_header_ = hostport;
  error_code ec;
  host_is_ip_ = host_ != "localhost";
  auto addr = net::ip::make_address(host_ == "localhost" ? "127.0.0.1" : host_, ec);
  if (ec) {
    std::fprintf(stderr, "--url host must be an IP address or localhost\n");
    return false;
  }
  server_ep_ = tcp::endpoint(addr, port_);
  return !wss || make_tls_context();
}

bool Bench::make_tls_context() {
  tls_ctx_ = std::make_unique<ssl::context>(ssl::context::tls_client);
  error_code ec;
  tls_ctx_->load_verify_file(opt_.tls_ca, ec);
  if (!ec) tls_ctx_->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) {
    std::fprintf(stderr, "--tls-ca %s: %s\n", opt_.tls_ca.c_str(), ec.message().c_str());
    return false;
  }
  // No client session cache: every connection is a full handshake, as a new visitor's is.
  SSL_CTX_set_session_cache_mode(tls_ctx_->native_handle(), SSL_SESS_CACHE_OFF);
  return true;
}

// A TLS client over `s` that checks the certificate names the URL's host (IP SAN or DNS name).
std::unique_ptr<TlsSocket> Bench::new_tls(tcp::socket& s) {
  auto t = std::make_unique<TlsSocket>(s, *tls_ctx_);
  SSL* h = t->native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(h);
  if (host_is_ip_) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
    SSL_set_tlsext_host_name(h, host_.c_str());
  }
  return t;
}

// Opens a client socket bound to the source-th loopback source address (own ephemeral ports).
bool Bench::open_socket(tcp::socket& s, std::size_t source, error_code& ec) {
  s.open(tcp::v4(), ec);
  if (ec) return false;
  const int one = 1;
  ::setsockopt(s.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  if (server_ep_.address().is_loopback()) s.bind(tcp::endpoint(sources_[source % sources_.size()], 0), ec);
  return !ec;
}

// A fixed key is fine for a load generator; the server only has to echo its hash.
std::string Bench::upgrade_request(const std::string& target) const {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host_header_ +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\nUser-Agent: parley-loadgen\r\n\r\n";
}

std::string Bench::target_for(const Conn& c) const {
  if (opt_.mode == "parley") return path_;
  std::string p = path_;
  if (p.size() < 6 || p.compare(p.size() - 6, 6, "peerjs") != 0) p += (p.back() == '/' ? "" : "/") + std::string("peerjs");
  return p + "?key=" + opt_.key + "&id=" + c.id + "&token=tok" + std::to_string(c.index);
}

void Bench::build_templates(Conn& c) {
  const Conn& peer = *conns_[static_cast<std::size_t>(c.partner)];
  if (opt_.mode == "parley") {
    // from_node_id: our own id, as honest clients send it; the server overwrites it anyway.
    c.tpl_sdp = make_template("{\"sdp_offer\":{\"type\":\"offer\",\"offer_json\":" + json_str(payloads_.parley_sdp_offer_json) +
                              ",\"from_node_id\":\"" + c.id + "\",\"to_node_id\":\"" + peer.id + "\"}}");
    c.tpl_ice = make_template("{\"ice_offer\":{\"offer_json\":" + json_str(payloads_.parley_ice_offer_json) +
                              ",\"from_node_id\":\"" + c.id + "\",\"to_node_id\":\"" + peer.id + "\"}}");
  } else {
    c.tpl_sdp = make_template(json::serialize(
        json::object{{"type", "OFFER"}, {"dst", peer.id}, {"payload", payloads_.peerjs_sdp_payload}}));
    c.tpl_ice = make_template(json::serialize(
        json::object{{"type", "CANDIDATE"}, {"dst", peer.id}, {"payload", payloads_.peerjs_ice_payload}}));
  }
}

// ---------------------------------------------------------------------------------------------
// Ramp: open connections with at most --concurrency in flight (connect + handshake + register).

void Bench::launch() {
  while (!ramp_stopped_ && ramp_inflight_ < opt_.concurrency && next_ < ramp_n_) {
    Conn& c = *conns_[next_++];
    c.in_ramp = true;
    ++ramp_inflight_;
    start_conn(c);
  }
}

void Bench::start_conn(Conn& c) {
  c.state = State::connecting;
  c.deadline_ns = now_ns() + static_cast<uint64_t>(opt_.handshake_timeout * 1e9);
  error_code ec;
  if (!open_socket(c.sock, c.index, ec)) return fail(c, ec, "socket");
  c.sock.async_connect(server_ep_, [this, &c](error_code e) {
    if (c.state != State::connecting) return;
    if (e) return fail(c, e, "connect");
    c.sock.set_option(tcp::no_delay(true), e);
    c.state = State::handshaking;
    if (!tls_ctx_) {
      c.sock.non_blocking(true, e);
      return send_upgrade(c);
    }
    c.tls = new_tls(c.sock);
    c.tls_in.resize(16 * 1024);  // one TLS record
    c.tls->async_handshake(ssl::stream_base::client, [this, &c](error_code he) {
      if (c.state != State::handshaking) return;
      if (he) return fail(c, he, "tls handshake");
      send_upgrade(c);
    });
  });
}

void Bench::send_upgrade(Conn& c) {
  send(c, upgrade_request(target_for(c)), 0xff /* raw bytes, no frame */);
  do_read(c);
}

// Every second: connections stuck in connect, upgrade or register past their deadline fail.
void Bench::deadline_tick() {
  const uint64_t now = now_ns();
  for (auto& cp : conns_) {
    Conn& c = *cp;
    if ((c.state == State::connecting || c.state == State::handshaking || c.state == State::registering) && now > c.deadline_ns)
      fail(c, c.state == State::registering ? "register: timeout" : c.state == State::connecting ? "connect: timeout" : "upgrade: timeout");
  }
  deadline_timer_.expires_after(std::chrono::seconds(1));
  deadline_timer_.async_wait([this](error_code ec) {
    if (!ec) deadline_tick();
  });
}

// The HTTP response to the upgrade; returns false if the connection failed.
bool Bench::on_handshake_bytes(Conn& c, const char* p, std::size_t n) {
  c.in.append(p, n);
  const auto end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c.in.size() > 16384) {
      fail(c, "upgrade: response header too large");
      return false;
    }
    return true;
  }
  if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
    std::string status = c.in.substr(0, c.in.find("\r\n"));
    std::string body = c.in.substr(end + 4, 60);
    fail(c, "upgrade: " + status + " " + body);
    return false;
  }
  std::string rest = c.in.substr(end + 4);
  c.in.clear();
  on_open(c);
  if (!rest.empty()) return parse_frames(c, rest.data(), rest.size());
  return true;
}

void Bench::on_open(Conn& c) {
  ++opened_;
  if (opt_.mode == "parley") {
    if (!opt_.do_register) {
      c.state = State::registered;  // held open, never registered
      ramp_done_one(c, true);
      return;
    }
    c.state = State::registering;
    send(c, "{\"register\":{\"node_name\":\"bench" + std::to_string(c.index) + "\"}}");
  } else {
    c.state = State::registering;  // PeerServer answers the upgrade with {"type":"OPEN"}
  }
}

void Bench::ramp_done_one(Conn& c, bool ok) {
  if (!c.in_ramp) return;
  c.in_ramp = false;
  --ramp_inflight_;
  ++ramp_finished_;
  if (ok) {
    ++registered_;
    consecutive_fail_ = 0;
  } else {
    ++failed_;
    if (++consecutive_fail_ >= 200 && !ramp_stopped_) {
      std::fprintf(stderr, "[%8.2f] ramp: 200 consecutive failures, stopping the ramp at %zu\n", now_s(), next_);
      ramp_stopped_ = true;
    }
  }
  if (ramp_finished_ % 1000 == 0)
    std::fprintf(stderr, "[%8.2f] ramp: %zu/%zu done, %zu registered, %zu failed, online frames rx %llu\n", now_s(),
                 ramp_finished_, ramp_n_, registered_, failed_, static_cast<unsigned long long>(online_rx_));
  launch();
}

void Bench::fail(Conn& c, const error_code& ec, const char* where) {
  fail(c, std::string(where) + ": " + ec.message());
}

void Bench::fail(Conn& c, const std::string& what) {
  if (c.state == State::closed || c.state == State::failed) return;
  const bool was_up = c.state == State::registered || c.state == State::registering;
  c.state = c.in_ramp ? State::failed : State::closed;
  ++errors_[what];
  error_code ignored;
  c.sock.close(ignored);
  c.in.clear();
  c.in.shrink_to_fit();
  if (c.in_ramp) {
    ramp_done_one(c, false);
  } else if (was_up) {
    ++closed_after_open_;
    if (registered_ > 0) --registered_;
  }
}

// ---------------------------------------------------------------------------------------------
// I/O

void Bench::do_read(Conn& c) {
  if (c.tls) {
    // All whole records already here in one go, as the plain path reads all the socket holds.
    auto more = [ssl = c.tls->native_handle(), size = c.tls_in.size()](const error_code& ec, std::size_t n) -> std::size_t {
      if (ec) return 0;
      return n == 0 ? size : parley::transport::tls_record_buffered(ssl) ? size - n : 0;
    };
    net::async_read(*c.tls, net::buffer(c.tls_in), std::move(more), [this, &c](error_code ec, std::size_t n) {
      if (c.state == State::closed || c.state == State::failed) return;
      const bool ok = n == 0 || (c.state == State::handshaking ? on_handshake_bytes(c, c.tls_in.data(), n) : parse_frames(c, c.tls_in.data(), n));
      if (!ok || c.state == State::closed || c.state == State::failed) return;
      if (ec == net::error::eof || ec == ssl::error::stream_truncated)
        return fail(c, c.state == State::handshaking ? "upgrade: connection closed by server" : "read: connection closed by server (no close frame)");
      if (ec) return fail(c, ec, "read");
      do_read(c);
    });
    return;
  }
  c.sock.async_wait(tcp::socket::wait_read, [this, &c](error_code ec) {
    if (c.state == State::closed || c.state == State::failed) return;
    if (ec) return fail(c, ec, "read");
    on_readable(c);
  });
}

void Bench::on_readable(Conn& c) {
  for (int round = 0; round < 8; ++round) {
    const ssize_t n = ::recv(c.sock.native_handle(), scratch_.data(), scratch_.size(), 0);
    if (n == 0) return fail(c, c.state == State::handshaking ? "upgrade: connection closed by server" : "read: connection closed by server (no close frame)");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return fail(c, error_code(errno, boost::system::system_category()), "read");
    }
    const bool ok = c.state == State::handshaking ? on_handshake_bytes(c, scratch_.data(), static_cast<std::size_t>(n))
                                                  : parse_frames(c, scratch_.data(), static_cast<std::size_t>(n));
    if (!ok) return;
    if (static_cast<std::size_t>(n) < scratch_.size()) break;
  }
  do_read(c);
}

// Parses server frames from the carried-over bytes plus p[0, n). Returns false if the connection
// ended.
bool Bench::parse_frames(Conn& c, const char* p, std::size_t n) {
  std::string_view data(p, n);
  if (!c.in.empty()) {
    c.in.append(p, n);
    data = c.in;
  }
  std::size_t pos = 0;
  bool alive = true;
  while (alive && data.size() - pos >= 2) {
    const auto* b = reinterpret_cast<const unsigned char*>(data.data() + pos);
    const bool fin = b[0] & 0x80;
    const uint8_t op = b[0] & 0x0f;
    const bool masked = b[1] & 0x80;
    uint64_t len = b[1] & 0x7f;
    std::size_t hdr = 2;
    if (len == 126) {
      if (data.size() - pos < 4) break;
      len = (uint64_t{b[2]} << 8) | b[3];
      hdr = 4;
    } else if (len == 127) {
      if (data.size() - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
      hdr = 10;
    }
    if (masked) hdr += 4;
    if (len > (64u << 20)) {
      fail(c, "read: frame over 64 MiB");
      return false;
    }
    if (data.size() - pos < hdr + len) break;
    std::string unmasked;
    std::string_view payload = data.substr(pos + hdr, len);
    if (masked) {  // servers must not mask, but be lenient
      unmasked.assign(payload);
      for (std::size_t i = 0; i < unmasked.size(); ++i) unmasked[i] = static_cast<char>(unmasked[i] ^ b[hdr - 4 + i % 4]);
      payload = unmasked;
    }
    pos += hdr + len;
    switch (op) {
      case 0x0:  // continuation
        c.fragments.append(payload);
        if (fin) {
          std::string whole = std::move(c.fragments);
          c.fragments.clear();
          on_frame(c, whole);
        }
        break;
      case 0x1:
      case 0x2:
        if (fin)
          on_frame(c, payload);
        else
          c.fragments.assign(payload);
        break;
      case 0x8: {  // close
        std::string why = "closed by server";
        if (payload.size() >= 2)
          why += " " + std::to_string((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1])) + " " +
                 std::string(payload.substr(2, 80));
        fail(c, why);
        alive = false;
        break;
      }
      case 0x9:  // ping
        send(c, payload, 0xA);
        break;
      default:
        break;  // pong, reserved
    }
    if (c.state == State::closed || c.state == State::failed) alive = false;
  }
  if (!alive) return false;
  if (data.data() == c.in.data()) {
    c.in.erase(0, pos);
  } else {
    c.in.assign(data.substr(pos));
  }
  if (c.in.empty() && c.in.capacity() > 4096) c.in.shrink_to_fit();
  return true;
}

// Queues one client frame (masked, as RFC 6455 requires of clients); opcode 0xff queues raw bytes.
void Bench::send(Conn& c, std::string_view payload, uint8_t opcode) {
  if (c.state == State::closed || c.state == State::failed) return;
  if (opcode == 0xff) {
    c.out.append(payload);
  } else {
    char hdr[14];
    std::size_t h = 0;
    hdr[h++] = static_cast<char>(0x80 | opcode);
    const uint64_t len = payload.size();
    if (len < 126) {
      hdr[h++] = static_cast<char>(0x80 | len);
    } else if (len < 65536) {
      hdr[h++] = static_cast<char>(0x80 | 126);
      hdr[h++] = static_cast<char>(len >> 8);
      hdr[h++] = static_cast<char>(len & 0xff);
    } else {
      hdr[h++] = static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) hdr[h++] = static_cast<char>((len >> (8 * i)) & 0xff);
    }
    // xorshift64: a cheap, changing masking key (the key only defeats proxy cache poisoning).
    mask_state_ ^= mask_state_ << 13;
    mask_state_ ^= mask_state_ >> 7;
    mask_state_ ^= mask_state_ << 17;
    const auto key = static_cast<uint32_t>(mask_state_);
    std::memcpy(hdr + h, &key, 4);
    h += 4;
    c.out.append(hdr, h);
    const std::size_t at = c.out.size();
    c.out.append(payload);
    char* d = c.out.data() + at;
    const uint64_t key64 = (uint64_t{key} << 32) | key;
    std::size_t i = 0;
    for (; i + 8 <= len; i += 8) {
      uint64_t w;
      std::memcpy(&w, d + i, 8);
      w ^= key64;
      std::memcpy(d + i, &w, 8);
    }
    for (; i < len; ++i) d[i] = static_cast<char>(d[i] ^ reinterpret_cast<const char*>(&key)[i % 4]);
  }
  max_wq_ = std::max(max_wq_, c.out.size());
  if (!c.writing) do_write(c);
}

void Bench::do_write(Conn& c) {
  c.writing = true;
  c.out_flight.swap(c.out);
  c.out.clear();
  auto done = [this, &c](error_code ec, std::size_t) {
    c.out_flight.clear();
    if (ec) {
      c.writing = false;
      c.out.clear();
      return fail(c, ec, "write");
    }
    if (c.out.empty()) {
      c.writing = false;
      if (c.out_flight.capacity() > 65536) c.out_flight.shrink_to_fit();
    } else {
      do_write(c);
    }
  };
  if (c.tls)
    net::async_write(*c.tls, net::buffer(c.out_flight), std::move(done));
  else
    net::async_write(c.sock, net::buffer(c.out_flight), std::move(done));
}

void Bench::on_frame(Conn& c, std::string_view f) {
  // Hot path: relay frames carry the marker; parley's online/offline broadcasts are counted only.
  if (f.size() > 200) {
    auto m = f.find("BTS");
    if (m != std::string_view::npos && m + kMarkerLen <= f.size()) return on_relay(c, f, m);
  }
  if (f.starts_with("{\"online\"")) {
    ++online_rx_;
    return;
  }
  if (f.starts_with("{\"offline\"")) {
    ++offline_rx_;
    return;
  }
  on_control(c, f);
}

void Bench::on_control(Conn& c, std::string_view f) {
  error_code ec;
  json::value v = json::parse(f, ec);
  if (ec || !v.is_object()) {
    ++errors_["rx: unparsable frame"];
    return;
  }
  const json::object& o = v.get_object();
  if (opt_.mode == "parley") {
    if (o.contains("register") && o.contains("node_id")) {
      const json::value& id = o.at("node_id");
      if (!id.is_string() || id.get_string().empty()) {
        ++errors_["rx: register reply without node_id"];
        return;
      }
      c.id = std::string(id.get_string());
      if (c.state == State::registering) {
        c.state = State::registered;
        ramp_done_one(c, true);
      }
      return;
    }
    if (o.contains("echo")) {
      ++pong_rx_;
      return;
    }
    if (auto* e = o.if_contains("error")) {
      std::string code = "?";
      if (e->is_object() && e->get_object().contains("code") && e->get_object().at("code").is_string())
        code = std::string(e->get_object().at("code").get_string());
      ++errors_["server error frame: " + code];
      return;
    }
    ++other_rx_;
    return;
  }
  // peerjs
  std::string type = o.contains("type") && o.at("type").is_string() ? std::string(o.at("type").get_string()) : "";
  if (type == "OPEN") {
    if (c.state == State::registering) {
      c.state = State::registered;
      ramp_done_one(c, true);
    }
    return;
  }
  if (type == "ERROR" || type == "ID-TAKEN") {
    std::string msg;
    if (auto* p = o.if_contains("payload"); p && p->is_object() && p->get_object().contains("msg"))
      msg = json::serialize(p->get_object().at("msg"));
    ++errors_["server " + type + ": " + msg];
    return;
  }
  ++errors_["rx: unexpected " + (type.empty() ? std::string("frame") : type)];
}

void Bench::on_relay(Conn& c, std::string_view f, std::size_t m) {
  const uint64_t now = now_ns();
  const char* p = f.data() + m + 3;
  const uint64_t ts = read_digits(p, 15);
  const auto sender = static_cast<uint32_t>(read_digits(p + 16, 7));
  const uint64_t seq = read_digits(p + 24, 10);
  ++relay_rx_;
  if (sender >= conns_.size() || static_cast<int32_t>(sender) != c.partner) {
    ++misrouted_;
    return;
  }
  if (seq < c.rx_seq) ++reordered_;
  else if (seq > c.rx_seq) gaps_ += seq - c.rx_seq;  // frames the server dropped (e.g. rate_limited)
  c.rx_seq = std::max(c.rx_seq, seq + 1);
  if (verified_ < opt_.verify) verify_relay(c, f, sender);
  if (measuring_ && now >= win_t0_ && now < win_t1_) ++win_rx_;
  if (measuring_ && ts >= win_t0_ && ts < win_t1_) lat_.v.push_back(static_cast<float>(static_cast<double>(now - ts) / 1e3));
  Conn& s = *conns_[sender];
  if (s.inflight > 0) --s.inflight;
  if (load_ == Load::closed_loop) fill_window(s);
}

void Bench::verify_relay(Conn& c, std::string_view f, uint32_t sender) {
  ++verified_;
  const Conn& s = *conns_[sender];
  std::string why;
  error_code ec;
  json::value v = json::parse(f, ec);
  if (ec || !v.is_object()) {
    why = "not a JSON object";
  } else if (opt_.mode == "parley") {
    const json::object& o = v.get_object();
    const bool sdp = o.contains("sdp_offer");
    const json::value* inner = o.if_contains(sdp ? "sdp_offer" : "ice_offer");
    if (o.size() != 1 || !inner || !inner->is_object()) {
      why = "relayed frame is not exactly {sdp_offer|ice_offer:{...}}";
    } else {
      const json::object& i = inner->get_object();
      auto str = [&](const char* k) -> std::string {
        auto* x = i.if_contains(k);
        return x && x->is_string() ? std::string(x->get_string()) : std::string("<missing>");
      };
      std::string oj = str("offer_json");
      // Patch our marker back to the placeholder and compare with what was sent.
      auto mk = oj.find("BTS");
      if (mk != std::string::npos) oj.replace(mk, kMarkerLen, kMarkerPlaceholder);
      if (str("from_node_id") != s.id) why = "from_node_id is not the sender's node id";
      else if (str("to_node_id") != c.id) why = "to_node_id is not the recipient's node id";
      else if (sdp && str("type") != "offer") why = "sdp_offer.type changed";
      else if (oj != (sdp ? payloads_.parley_sdp_offer_json : payloads_.parley_ice_offer_json)) why = "offer_json changed";
    }
  } else {
    const json::object& o = v.get_object();
    auto str = [&](const char* k) -> std::string {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->get_string()) : std::string("<missing>");
    };
    if (str("src") != s.id) why = "src is not the sender's id";
    else if (str("dst") != c.id) why = "dst is not the recipient's id";
    else if (str("type") != "OFFER" && str("type") != "CANDIDATE") why = "unexpected type";
    else if (!o.contains("payload")) why = "no payload";
  }
  if (!why.empty()) {
    ++verify_failed_;
    if (first_verify_failure_.empty()) first_verify_failure_ = why + ": " + std::string(f.substr(0, 300));
  }
}

// ---------------------------------------------------------------------------------------------
// Load

void Bench::send_relay(Conn& c, uint64_t stamp_ns) {
  const bool sdp = opt_.sdp_every > 0 && c.seq % opt_.sdp_every == 0;
  const Template& t = sdp ? c.tpl_sdp : c.tpl_ice;
  std::string& f = frame_;
  f = t.text;
  char* m = f.data() + t.marker + 3;
  write_digits(m, stamp_ns, 15);
  write_digits(m + 16, c.index, 7);
  write_digits(m + 24, c.seq, 10);
  ++c.seq;
  ++c.inflight;
  ++relay_tx_;
  relay_bytes_tx_ += f.size();
  if (measuring_ && stamp_ns >= win_t0_ && stamp_ns < win_t1_) ++win_tx_;
  send(c, f);
}

void Bench::fill_window(Conn& c) {
  if (c.state != State::registered) return;
  while (c.inflight < opt_.window) {
    const uint64_t now = now_ns();
    if (opt_.per_conn_max_rate > 0) {
      // Token bucket (burst = window) so a rate-limited server is never pushed past its budget.
      c.tokens = std::min<double>(static_cast<double>(opt_.window),
                                  c.tokens + static_cast<double>(now - c.tokens_at) / 1e9 * opt_.per_conn_max_rate);
      c.tokens_at = now;
      if (c.tokens < 1) return;  // the tick retries
      c.tokens -= 1;
    }
    send_relay(c, now);
  }
}

void Bench::tick() {
  if (load_ == Load::off) return;
  const uint64_t now = now_ns();
  if (load_ == Load::open_loop) {
    const auto due = static_cast<uint64_t>(static_cast<double>(now - load_t0_) * opt_.rate / 1e9);
    while (scheduled_ < due) {
      const uint64_t intended = load_t0_ + static_cast<uint64_t>(static_cast<double>(scheduled_) * 1e9 / opt_.rate);
      ++scheduled_;
      Conn& c = *conns_[senders_[rr_++ % senders_.size()]];
      if (c.state != State::registered) continue;
      if (c.out.size() >= (4u << 20)) {  // the connection is backed up: count instead of growing memory forever
        ++skipped_backlog_;
        continue;
      }
      if (measuring_ && intended >= win_t0_ && intended < win_t1_) lag_.v.push_back(static_cast<float>(static_cast<double>(now - intended) / 1e3));
      send_relay(c, intended);
    }
  } else if (opt_.per_conn_max_rate > 0) {
    for (uint32_t i : senders_) fill_window(*conns_[i]);
  }
  tick_.expires_after(std::chrono::nanoseconds(static_cast<int64_t>(opt_.tick_us * 1000)));
  tick_.async_wait([this](error_code ec) {
    if (!ec) tick();
  });
}

// Keepalive: every connection sends one frame every --keepalive seconds, spread evenly (PeerServer
// drops clients silent for alive_timeout = 90 s; PeerJS clients send {"type":"HEARTBEAT"} every 5 s.
// Parley's equivalent is an echo ping, answered by a pong).
void Bench::keepalive_tick() {
  static std::size_t pos = 0;
  if (opt_.keepalive > 0 && !conns_.empty()) {
    const double per_tick = static_cast<double>(conns_.size()) / opt_.keepalive * 0.1;  // ticks every 100 ms
    static double acc = 0;
    acc += per_tick;
    for (; acc >= 1; acc -= 1) {
      Conn& c = *conns_[pos++ % conns_.size()];
      if (c.state != State::registered) continue;
      ++keepalive_tx_;
      if (opt_.mode == "parley") {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        send(c, "{\"echo\":{\"direction\":\"ping\",\"correlation_id\":\"ka\",\"server_timestamp\":0,\"timestamp\":" +
                    std::to_string(ms) + ",\"seq_id\":" + std::to_string(c.keepalive_seq++) + "}}");
      } else {
        send(c, "{\"type\":\"HEARTBEAT\"}");
      }
    }
  }
  ka_timer_.expires_after(std::chrono::milliseconds(100));
  ka_timer_.async_wait([this](error_code ec) {
    if (!ec) keepalive_tick();
  });
}

// Runs the event loop until done() or the timeout (or SIGINT/SIGTERM).
void Bench::wait_until(const std::function<bool()>& done, double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  while (!interrupted_ && !done() && Clock::now() < deadline) {
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(20));
  }
}

// ---------------------------------------------------------------------------------------------
// Phases

void Bench::ramp(std::size_t n, json::object& out) {
  for (std::size_t i = conns_.size(); i < n; ++i) {
    conns_.push_back(std::make_unique<Conn>(ioc_, static_cast<uint32_t>(i)));
    if (opt_.mode == "peerjs") conns_.back()->id = "bench" + std::to_string(i);
  }
  ramp_n_ = n;
  const double t0 = now_s();
  const double m0 = machine_busy_s(), l0 = proc_cpu_s(0), s0 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : 0;
  launch();
  wait_until([&] { return ramp_inflight_ == 0 && (next_ >= ramp_n_ || ramp_stopped_); }, opt_.ramp_timeout);
  const double t1 = now_s();
  if (ramp_inflight_ > 0 || (next_ < ramp_n_ && !ramp_stopped_))
    std::fprintf(stderr, "[%8.2f] ramp: timed out after %.0f s (%zu in flight)\n", t1, opt_.ramp_timeout, ramp_inflight_);
  ramp_stopped_ = true;
  std::fprintf(stderr, "[%8.2f] ramp: %zu registered, %zu failed in %.2f s\n", t1, registered_, failed_, t1 - t0);
  out["ramp_seconds"] = t1 - t0;
  out["attempted"] = n;
  out["opened"] = opened_;
  out["registered_after_ramp"] = registered_;
  out["failed_in_ramp"] = failed_;
  out["online_frames_rx_during_ramp"] = online_rx_;
  if (t1 - t0 > 0.5) {
    const double s1 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : 0;
    out["ramp_loadgen_cpu_pct"] = 100.0 * (proc_cpu_s(0) - l0) / (t1 - t0);
    out["ramp_other_cpu_pct"] = 100.0 * ((machine_busy_s() - m0) - (proc_cpu_s(0) - l0) - (s1 - s0)) / (t1 - t0);
  }
}

void Bench::phase_idle(json::object& out) {
  const long rss0 = opt_.server_pid ? proc_status_kib(opt_.server_pid, "VmRSS") : -1;
  const double cpu0 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1;
  ramp(opt_.connections, out);
  const double cpu1 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1;
  // Let the tail of the broadcasts drain, then hold the connections idle (keepalives only).
  const uint64_t online_at_ramp_end = online_rx_;
  sleep_for(opt_.settle);
  const long rss1 = opt_.server_pid ? proc_status_kib(opt_.server_pid, "VmRSS") : -1;
  std::fprintf(stderr, "[%8.2f] holding %zu connections for %.0f s (online frames after the ramp: %llu)\n", now_s(), registered_, opt_.hold,
               static_cast<unsigned long long>(online_rx_ - online_at_ramp_end));
  const double cpuh0 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1;
  sleep_for(opt_.hold);
  const double cpuh1 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1;
  const long rss2 = opt_.server_pid ? proc_status_kib(opt_.server_pid, "VmRSS") : -1;
  std::size_t alive = 0;
  for (auto& c : conns_) alive += c->state == State::registered;
  out["held"] = alive;
  out["closed_after_open"] = closed_after_open_;
  out["server_rss_kib_before"] = rss0;
  out["server_rss_kib_after_ramp"] = rss1;
  out["server_rss_kib_after_hold"] = rss2;
  out["server_hwm_kib"] = opt_.server_pid ? proc_status_kib(opt_.server_pid, "VmHWM") : -1;
  if (rss0 > 0 && alive > 0) {
    out["rss_per_conn_bytes"] = static_cast<double>(rss2 - rss0) * 1024.0 / static_cast<double>(alive);
    out["rss_per_conn_bytes_after_ramp"] = static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(alive);
  }
  if (cpu0 >= 0) {
    out["server_cpu_s_ramp"] = cpu1 - cpu0;
    out["server_cpu_pct_hold"] = 100.0 * (cpuh1 - cpuh0) / opt_.hold;
  }
  out["online_frames_rx"] = online_rx_;
  out["online_frames_expected"] = opt_.mode == "parley" && opt_.do_register ? static_cast<double>(registered_) * static_cast<double>(registered_ + 1) / 2.0 : 0.0;
  out["keepalives_tx"] = keepalive_tx_;
  out["pongs_rx"] = pong_rx_;
}

void Bench::phase_relay(json::object& out) {
  const std::size_t participants = 2 * opt_.pairs;
  const std::size_t n = std::max(opt_.connections, participants);
  ramp(n, out);
  // Random pairs among the registered connections.
  std::vector<uint32_t> ok;
  for (auto& c : conns_)
    if (c->state == State::registered) ok.push_back(c->index);
  std::shuffle(ok.begin(), ok.end(), rng_);
  const std::size_t np = std::min(opt_.pairs, ok.size() / 2);
  if (np == 0) {
    // Nothing to relay between (server down, refused every upgrade): say so instead of crashing.
    std::fprintf(stderr, "relay: no pair of registered connections (%zu registered), phase skipped\n", ok.size());
    out["pairs"] = 0;
    out["error"] = "no registered pairs";
    return;
  }
  for (std::size_t i = 0; i < np; ++i) {
    Conn& a = *conns_[ok[2 * i]];
    Conn& b = *conns_[ok[2 * i + 1]];
    a.partner = static_cast<int32_t>(b.index);
    b.partner = static_cast<int32_t>(a.index);
    senders_.push_back(a.index);
    senders_.push_back(b.index);
  }
  for (uint32_t i : senders_) build_templates(*conns_[i]);
  std::shuffle(senders_.begin(), senders_.end(), rng_);
  out["pairs"] = np;
  out["bystanders"] = registered_ - 2 * np;
  out["sdp_frame_bytes"] = conns_[senders_.at(0)]->tpl_sdp.text.size();
  out["ice_frame_bytes"] = conns_[senders_.at(0)]->tpl_ice.text.size();
  out["sdp_every"] = opt_.sdp_every;
  sleep_for(1.0);  // let the last online broadcasts drain

  const bool open = opt_.rate > 0;
  load_ = open ? Load::open_loop : Load::closed_loop;
  load_t0_ = now_ns();
  win_t0_ = load_t0_ + static_cast<uint64_t>(opt_.warmup * 1e9);
  win_t1_ = win_t0_ + static_cast<uint64_t>(opt_.duration * 1e9);
  measuring_ = true;
  if (!open)
    for (uint32_t i : senders_) fill_window(*conns_[i]);
  tick();
  std::fprintf(stderr, "[%8.2f] relay: %zu pairs, %s%s, warm-up %.0f s, measuring %.0f s\n", now_s(), np, open ? "open loop at " : "closed loop",
               open ? (std::to_string(static_cast<long>(opt_.rate)) + " frames/s").c_str() : (", window " + std::to_string(opt_.window)).c_str(),
               opt_.warmup, opt_.duration);
  wait_until([&] { return now_ns() >= win_t0_; }, opt_.warmup + 1);
  const double s_cpu0 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1, l_cpu0 = proc_cpu_s(0), m_cpu0 = machine_busy_s();
  const uint64_t rx0 = relay_rx_;
  wait_until([&] { return now_ns() >= win_t1_; }, opt_.duration + 1);
  const double s_cpu1 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1, l_cpu1 = proc_cpu_s(0), m_cpu1 = machine_busy_s();
  const uint64_t rx1 = relay_rx_;
  load_ = Load::off;
  // Drain: wait for frames stamped inside the window to arrive.
  uint64_t last = relay_rx_;
  wait_until([&] {
    static uint64_t stable_since = now_ns();
    if (relay_rx_ != last) { last = relay_rx_; stable_since = now_ns(); }
    return now_ns() - stable_since > 1'000'000'000ULL;
  }, 10);
  measuring_ = false;
  const double secs = opt_.duration;
  out["offered_rate"] = opt_.rate;
  out["window"] = open ? 0 : opt_.window;
  out["frames_tx_in_window"] = win_tx_;
  out["frames_rx_in_window"] = win_rx_;
  out["throughput_fps"] = static_cast<double>(rx1 - rx0) / secs;
  out["latency_samples"] = lat_.v.size();
  out["lost_in_window"] = static_cast<int64_t>(win_tx_) - static_cast<int64_t>(lat_.v.size());
  out["p50_us"] = lat_.pct(0.50);
  out["p90_us"] = lat_.pct(0.90);
  out["p99_us"] = lat_.pct(0.99);
  out["p999_us"] = lat_.pct(0.999);
  out["max_us"] = lat_.max();
  out["mean_us"] = lat_.mean();
  out["sched_lag_p99_us"] = lag_.pct(0.99);
  out["skipped_backlog"] = skipped_backlog_;
  out["max_client_write_queue_bytes"] = max_wq_;
  out["misrouted"] = misrouted_;
  out["reordered"] = reordered_;
  out["dropped_by_server"] = gaps_;
  out["verified"] = verified_;
  out["verify_failed"] = verify_failed_;
  if (!first_verify_failure_.empty()) out["first_verify_failure"] = first_verify_failure_;
  if (s_cpu0 >= 0) {
    out["server_cpu_pct"] = 100.0 * (s_cpu1 - s_cpu0) / secs;
    out["server_cpu_us_per_frame"] = (s_cpu1 - s_cpu0) * 1e6 / static_cast<double>(std::max<uint64_t>(1, rx1 - rx0));
  }
  out["loadgen_cpu_pct"] = 100.0 * (l_cpu1 - l_cpu0) / secs;
  // What everything else on the machine used meanwhile (other agents' builds, ...), % of one core.
  if (s_cpu0 >= 0) out["other_cpu_pct"] = 100.0 * ((m_cpu1 - m_cpu0) - (s_cpu1 - s_cpu0) - (l_cpu1 - l_cpu0)) / secs;
  out["machine_cores"] = static_cast<int64_t>(sysconf(_SC_NPROCESSORS_ONLN));
  out["closed_after_open"] = closed_after_open_;
  out["server_rss_kib"] = opt_.server_pid ? proc_status_kib(opt_.server_pid, "VmRSS") : -1;
}

// New connections per second: each dialer connects, does the TLS handshake (wss://), upgrades,
// reads the 101, resets the connection (RST: no TIME_WAIT to run out of ports) and starts over.
void Bench::phase_handshake(json::object& out) {
  load_ = Load::closed_loop;  // "running"; dial() stops once it is off
  load_t0_ = now_ns();
  win_t0_ = load_t0_ + static_cast<uint64_t>(opt_.warmup * 1e9);
  win_t1_ = win_t0_ + static_cast<uint64_t>(opt_.duration * 1e9);
  measuring_ = true;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, opt_.concurrency); ++i) {
    dialers_.push_back(std::make_unique<Dialer>(ioc_));
    dial(*dialers_.back());
  }
  std::fprintf(stderr, "[%8.2f] handshake: %zu dialers, %s, warm-up %.0f s, measuring %.0f s\n", now_s(), dialers_.size(),
               tls_ctx_ ? "TLS" : "plain", opt_.warmup, opt_.duration);
  wait_until([&] { return now_ns() >= win_t0_; }, opt_.warmup + 1);
  const double s_cpu0 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1, l_cpu0 = proc_cpu_s(0), m_cpu0 = machine_busy_s();
  const uint64_t ok0 = hs_ok_;
  wait_until([&] { return now_ns() >= win_t1_; }, opt_.duration + 1);
  const double s_cpu1 = opt_.server_pid ? proc_cpu_s(opt_.server_pid) : -1, l_cpu1 = proc_cpu_s(0), m_cpu1 = machine_busy_s();
  const uint64_t done = hs_ok_ - ok0;
  load_ = Load::off;
  measuring_ = false;
  wait_until([&] { return std::none_of(dialers_.begin(), dialers_.end(), [](auto& d) { return d->busy; }); }, 5);
  const double secs = opt_.duration;
  out["tls"] = static_cast<bool>(tls_ctx_);
  out["dialers"] = dialers_.size();
  out["handshakes"] = done;
  out["handshakes_per_s"] = static_cast<double>(done) / secs;
  out["handshakes_failed"] = hs_failed_;
  out["p50_us"] = hs_lat_.pct(0.50);
  out["p99_us"] = hs_lat_.pct(0.99);
  if (s_cpu0 >= 0) {
    out["server_cpu_pct"] = 100.0 * (s_cpu1 - s_cpu0) / secs;
    out["server_cpu_us_per_handshake"] = (s_cpu1 - s_cpu0) * 1e6 / static_cast<double>(std::max<uint64_t>(1, done));
    out["other_cpu_pct"] = 100.0 * ((m_cpu1 - m_cpu0) - (s_cpu1 - s_cpu0) - (l_cpu1 - l_cpu0)) / secs;
  }
  out["loadgen_cpu_pct"] = 100.0 * (l_cpu1 - l_cpu0) / secs;
  out["loadgen_cpu_us_per_handshake"] = (l_cpu1 - l_cpu0) * 1e6 / static_cast<double>(std::max<uint64_t>(1, done));
}

void Bench::dial(Dialer& d) {
  d.busy = load_ != Load::off && !interrupted_;
  if (!d.busy) return;
  d.tls.reset();  // nothing of the last connection is pending: each step starts the next
  d.in.clear();
  d.t0 = now_ns();
  error_code ec;
  if (!open_socket(d.sock, dials_++, ec)) return dial_end(d, "socket: " + ec.message());
  d.sock.async_connect(server_ep_, [this, &d](error_code e) {
    if (e) return dial_end(d, "connect: " + e.message());
    d.sock.set_option(tcp::no_delay(true), e);
    if (!tls_ctx_) return dial_upgrade(d, d.sock);
    d.tls = new_tls(d.sock);
    d.tls->async_handshake(ssl::stream_base::client, [this, &d](error_code he) {
      if (he) return dial_end(d, "tls handshake: " + he.message());
      dial_upgrade(d, *d.tls);
    });
  });
}

template <class Stream>
void Bench::dial_upgrade(Dialer& d, Stream& s) {
  if (d.req.empty()) d.req = upgrade_request(path_);
  net::async_write(s, net::buffer(d.req), [this, &d, &s](error_code e, std::size_t) {
    if (e) return dial_end(d, "upgrade write: " + e.message());
    net::async_read_until(s, net::dynamic_buffer(d.in), "\r\n\r\n", [this, &d](error_code re, std::size_t) {
      if (re) return dial_end(d, "upgrade read: " + re.message());
      if (d.in.compare(0, 12, "HTTP/1.1 101") != 0) return dial_end(d, "upgrade: " + d.in.substr(0, d.in.find("\r\n")));
      dial_end(d, "");
    });
  });
}

void Bench::dial_end(Dialer& d, const std::string& error) {
  const uint64_t now = now_ns();
  if (error.empty()) {
    ++hs_ok_;
    if (measuring_ && now >= win_t0_ && now < win_t1_) hs_lat_.v.push_back(static_cast<float>(static_cast<double>(now - d.t0) / 1e3));
  } else {
    ++hs_failed_;
    count_error(error);
  }
  error_code ignored;
  d.sock.set_option(net::socket_base::linger(true, 0), ignored);
  d.sock.close(ignored);
  dial(d);
}

int Bench::run() {
  if (!parse_url()) return 2;
  rng_.seed(opt_.seed);
  payloads_ = make_payloads(opt_);
  // Source addresses: 127.0.0.1, .2, ... so that each has its own ephemeral port range.
  std::size_t nsrc = opt_.source_ips ? opt_.source_ips : std::max<std::size_t>(1, (std::max(opt_.connections, 2 * opt_.pairs) + 19999) / 20000);
  for (std::size_t i = 0; i < nsrc; ++i) sources_.push_back(net::ip::make_address_v4(static_cast<net::ip::address_v4::uint_type>(0x7f000001u + i)));

  // Raise our own descriptor limit as far as the hard limit allows.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  const std::size_t wanted = std::max(opt_.connections, 2 * opt_.pairs);
  if (wanted + 16 > rl.rlim_cur)
    std::fprintf(stderr, "warning: RLIMIT_NOFILE is %llu (hard limit), fewer than the %zu connections asked for\n",
                 static_cast<unsigned long long>(rl.rlim_cur), wanted);

  signals_.async_wait([this](error_code ec, int) {
    if (!ec) interrupted_ = true;
  });
  keepalive_tick();
  deadline_tick();

  json::object out;
  out["label"] = opt_.label;
  out["mode"] = opt_.mode;
  out["phase"] = opt_.phase;
  out["url"] = opt_.url;
  out["rlimit_nofile"] = static_cast<uint64_t>(rl.rlim_cur);
  out["source_ips"] = sources_.size();
  out["server_pid"] = opt_.server_pid;
  if (opt_.phase == "idle")
    phase_idle(out);
  else if (opt_.phase == "handshake")
    phase_handshake(out);
  else
    phase_relay(out);

  json::object errs;
  for (auto& [k, v] : errors_) errs[k] = v;
  out["errors"] = std::move(errs);
  out["loadgen_rss_kib"] = proc_status_kib(0, "VmRSS");
  out["interrupted"] = interrupted_;
  const std::string text = json::serialize(out);
  std::printf("%s\n", text.c_str());
  if (!opt_.json_out.empty()) std::ofstream(opt_.json_out) << text << "\n";
  std::fflush(nullptr);
  // Skip tearing down tens of thousands of sockets one by one; the kernel closes them.
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"parley-loadgen: WebSocket signalling load generator (Parley and PeerServer)"};
  app.add_option("--mode", o.mode, "Protocol: parley or peerjs")->check(CLI::IsMember({"parley", "peerjs"}));
  app.add_option("--phase", o.phase, "idle | throughput | latency | handshake")
      ->check(CLI::IsMember({"idle", "throughput", "latency", "handshake"}));
  app.add_option("--url", o.url, "parley: ws://127.0.0.1:3001/ws; peerjs: ws://127.0.0.1:9000/ (\"peerjs?key=..&id=..&token=..\" is appended); "
                                 "wss://... with --tls-ca")
      ->required();
  app.add_option("--tls-ca", o.tls_ca, "wss:// URLs: PEM file of the CA the server certificate must verify against");
  app.add_option("--key", o.key, "PeerServer key");
  app.add_option("--connections,-n", o.connections, "Connections to open (idle phase; relay phases: at least 2*pairs, extra ones are idle bystanders)");
  app.add_option("--pairs", o.pairs, "Relay phases: random pairs of connections that relay to each other");
  app.add_option("--rate", o.rate, "Relay: offered frames/s, open loop (0 = closed loop, --window frames in flight per sender)");
  app.add_option("--window", o.window, "Closed loop: frames in flight per sending connection");
  app.add_option("--per-conn-max-rate", o.per_conn_max_rate, "Closed loop: cap each connection at this many frames/s (stay under a server's rate limit; 0 = none)");
  app.add_option("--duration", o.duration, "Relay: measured seconds");
  app.add_option("--warmup", o.warmup, "Relay: seconds of load before measuring");
  app.add_option("--hold", o.hold, "Idle: seconds to hold the connections after the ramp");
  app.add_option("--settle", o.settle, "Idle: seconds to wait after the ramp before the first RSS sample");
  app.add_option("--ramp-timeout", o.ramp_timeout, "Give up the ramp after this many seconds and report what was reached");
  app.add_option("--handshake-timeout", o.handshake_timeout, "Per-connection connect + upgrade + register timeout, seconds");
  app.add_option("--keepalive", o.keepalive, "Seconds between keepalives per connection (parley echo ping, peerjs HEARTBEAT; 0 = none)");
  app.add_option("--server-pid", o.server_pid, "PID of the server, for VmRSS and CPU time from /proc");
  app.add_option("--source-ips", o.source_ips, "Bind clients to 127.0.0.1..N round-robin (0 = one per 20000 connections)");
  app.add_option("--concurrency", o.concurrency, "Ramp: connections in flight (connect + upgrade + register); handshake phase: dialers");
  app.add_option("--verify", o.verify, "Fully parse and check the first N relayed frames received");
  app.add_option("--sdp-every", o.sdp_every, "Every Nth relayed frame is an SDP offer, the others ICE candidates");
  app.add_option("--sdp-bytes", o.sdp_bytes, "Size of the SDP text");
  app.add_option("--ice-bytes", o.ice_bytes, "Size of the ICE candidate text");
  app.add_option("--tick-us", o.tick_us, "Open loop scheduler tick, microseconds");
  app.add_flag("--register,!--no-register", o.do_register, "parley: send register after the upgrade (default); --no-register holds bare upgraded sockets");
  app.add_option("--json", o.json_out, "Also write the result object to this file");
  app.add_option("--label", o.label, "Free text copied into the result");
  app.add_option("--seed", o.seed, "Random seed for the pairing");
  CLI11_PARSE(app, argc, argv);
  if (o.phase == "idle" && o.connections == 0) o.connections = 1000;
  return Bench(std::move(o)).run();
}
