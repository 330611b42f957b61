#include "transport/metrics_route.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "transport/http_types.hpp"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "unknown"
#endif

namespace parley::transport {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

// Backslash and line feed as \\ and \n; double quotes as \" too when `quotes`.
std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\n') out += "\\n";
    else if (ch == '"' && quotes) out += "\\\"";
    else out += ch;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string escape_help(std::string_view help) { return escape(help, false); }

void PrometheusWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void PrometheusWriter::begin(std::string_view name, Labels labels) {
  out_ += name;
  if (labels.size() == 0) return;
  out_ += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", key, escape_label_value(value));
  }
  out_ += '}';
}

void PrometheusWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  begin(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusWriter::sample(std::string_view name, Labels labels, std::int64_t value) {
  begin(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusWriter::sample(std::string_view name, Labels labels, double value) {
  begin(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

ProcessStats read_process_stats() {
  ProcessStats s;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return s;
  std::istringstream fields(stat.substr(paren + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state) of proc(5)
  for (std::string item; fields >> item;) f.push_back(item);
  if (f.size() < 22) return s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;  // utime, stime
  s.virtual_bytes = std::stod(f[20]);
  s.resident_bytes = std::stod(f[21]) * page;
  std::ifstream proc_stat("/proc/stat");
  for (std::string line; std::getline(proc_stat, line);)
    if (line.rfind("btime ", 0) == 0) s.start_time_seconds = std::stod(line.substr(6)) + std::stod(f[19]) / ticks;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
    s.open_fds += 1;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) s.max_fds = static_cast<double>(limit.rlim_cur);
  s.ok = true;
  return s;
}

MetricsSource::MetricsSource(const signalling::SignallingService& service, const TransportMetrics& transport)
    : service_(service), transport_(transport) {}

namespace {

// One sample per value of a labelled counter.
template <typename Counters, typename Names>
void per_label(PrometheusWriter& w, std::string_view name, std::string_view label, const Counters& counters,
               const Names& names) {
  for (std::size_t i = 0; i < names.size(); ++i) w.sample(name, {{label, names[i]}}, counters.value(i));
}

}  // namespace

std::string MetricsSource::render() const {
  namespace sig = signalling;
  const auto& m = service_.metrics();
  const auto& t = transport_;
  std::string out;
  out.reserve(16 * 1024);
  PrometheusWriter w(out);

  w.family("parley_build_info", "gauge", "Always 1; the version of this parley-server in a label.");
  w.sample("parley_build_info", {{"version", PARLEY_VERSION}}, std::uint64_t{1});

  w.family("parley_connections", "gauge", "Signalling WebSockets open now, by how they authenticated.");
  for (std::size_t i = 0; i < sig::kConnectionKindNames.size(); ++i)
    w.sample("parley_connections", {{"kind", sig::kConnectionKindNames[i]}}, m.connections_open[i].value());
  w.family("parley_connections_registered", "gauge", "Signalling connections that have registered (online).");
  w.sample("parley_connections_registered", {}, static_cast<std::uint64_t>(service_.registry().registered_count()));
  w.family("parley_connections_opened_total", "counter", "Signalling WebSockets accepted, by how they authenticated.");
  per_label(w, "parley_connections_opened_total", "kind", m.connections_opened, sig::kConnectionKindNames);
  w.family("parley_handshake_failures_total", "counter", "WebSocket upgrade requests refused, by reason.");
  per_label(w, "parley_handshake_failures_total", "reason", t.handshake_failures, kHandshakeFailureNames);

  w.family("parley_frames_in_total", "counter",
           "Frames received: each payload of a decoded text frame, or why a frame reached none.");
  per_label(w, "parley_frames_in_total", "type", m.frames_in, sig::kFrameInNames);
  w.family("parley_frames_out_total", "counter", "Frames queued to connections, by cause.");
  per_label(w, "parley_frames_out_total", "kind", t.frames_out, kFrameOutNames);
  w.family("parley_tls_handshakes_total", "counter", "TLS handshakes completed (only with --tls-cert).");
  w.sample("parley_tls_handshakes_total", {}, t.tls_handshakes.value());
  w.family("parley_tls_handshake_failures_total", "counter", "TLS handshakes that failed: not TLS, bad ClientHello, timed out.");
  w.sample("parley_tls_handshake_failures_total", {}, t.tls_handshake_failures.value());
  w.family("parley_presence_coalesced_total", "counter",
           "Presence frames replaced in a waiting queue by a newer event of the same subject.");
  w.sample("parley_presence_coalesced_total", {}, t.presence_coalesced.value());
  w.family("parley_registrations_total", "counter", "Successful register steps (re-registrations included).");
  w.sample("parley_registrations_total", {}, m.registrations.value());

  w.family("parley_errors_sent_total", "counter", "Error frames sent to clients, by error code.");
  per_label(w, "parley_errors_sent_total", "code", m.errors_sent, sig::kErrorCodeNames);
  w.family("parley_relay_errors_total", "counter", "sdp_offer and ice_offer steps not relayed, by error code.");
  per_label(w, "parley_relay_errors_total", "code", m.relay_errors, sig::kRelayErrorNames);
  w.family("parley_rate_limited_total", "counter",
           "Frames (text, ping, pong) and register/rename steps refused by a rate budget.");
  per_label(w, "parley_rate_limited_total", "budget", m.rate_limited, sig::kRateBudgetNames);
  w.family("parley_abuse_closes_total", "counter", "Connections closed (1008) for too many errors in 10 s.");
  w.sample("parley_abuse_closes_total", {}, m.abuse_closes.value());
  w.family("parley_abuse_penalties_total", "counter",
           "Abuse closes after which the client's address waits before it may connect again.");
  w.sample("parley_abuse_penalties_total", {}, m.penalties.value());

  w.family("parley_ws_closes_total", "counter",
           "Close frames sent, by code; initiator client = the client's close echoed.");
  for (std::size_t i = 0; i < kCloseLabelNames.size(); ++i) {
    w.sample("parley_ws_closes_total", {{"code", kCloseLabelNames[i]}, {"initiator", "server"}},
             t.closes_by_server.value(i));
    w.sample("parley_ws_closes_total", {{"code", kCloseLabelNames[i]}, {"initiator", "client"}},
             t.closes_by_client.value(i));
  }
  w.family("parley_connections_dropped_total", "counter",
           "Connections the server ended without a close handshake, by reason.");
  per_label(w, "parley_connections_dropped_total", "reason", t.dropped, kDropReasonNames);

  w.family("parley_logins_total", "counter", "Login callbacks answered, by provider and result.");
  for (std::size_t p = 0; p < kLoginProviderNames.size(); ++p)
    for (std::size_t r = 0; r < kLoginResultNames.size(); ++r)
      w.sample("parley_logins_total", {{"provider", kLoginProviderNames[p]}, {"result", kLoginResultNames[r]}},
               t.logins[p].value(r));

  const auto& h = m.frame_seconds;
  w.family("parley_frame_handling_seconds", "histogram",
           "Time to handle one received text frame (decode, checks, relay or broadcast), steady clock.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < sig::Histogram::kBoundsNs.size(); ++i) {
    cumulative += h.bucket(i);
    const auto le = fmt::format("{}", static_cast<double>(sig::Histogram::kBoundsNs[i]) / 1e9);
    w.sample("parley_frame_handling_seconds_bucket", {{"le", le}}, cumulative);
  }
  cumulative += h.bucket(sig::Histogram::kBoundsNs.size());
  w.sample("parley_frame_handling_seconds_bucket", {{"le", "+Inf"}}, cumulative);
  w.sample("parley_frame_handling_seconds_sum", {}, static_cast<double>(h.sum_ns()) / 1e9);
  w.sample("parley_frame_handling_seconds_count", {}, cumulative);

  if (const auto p = read_process_stats(); p.ok) {
    w.family("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
    w.sample("process_cpu_seconds_total", {}, p.cpu_seconds);
    w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w.sample("process_resident_memory_bytes", {}, p.resident_bytes);
    w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    w.sample("process_virtual_memory_bytes", {}, p.virtual_bytes);
    w.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w.sample("process_open_fds", {}, p.open_fds);
    w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    w.sample("process_max_fds", {}, p.max_fds);
    w.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    w.sample("process_start_time_seconds", {}, p.start_time_seconds);
  }
  // Redis and database state follow with the cluster (issue 12: once the Redis router lands).
  return out;
}

protocol::HttpReply MetricsSource::reply() const {
  protocol::HttpReply r;
  r.body = render();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void install_metrics_route(HttpRoutes& routes, const MetricsSource& source) {
  routes.add("/metrics", "GET, HEAD", [&source](const RouteRequest&) { return source.reply(); });
}

namespace {

constexpr std::size_t kMaxMetricsRequestBytes = 16 * 1024;
constexpr auto kMetricsRequestTimeout = std::chrono::seconds(30);

// One scraper's connection: requests in turn (keep-alive), each answered with /metrics or 404.
class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
public:
  MetricsSession(tcp::socket socket, const MetricsSource& source) : stream_(std::move(socket)), source_(source) {}
  void read() {
    parser_.emplace();
    parser_->header_limit(kMaxMetricsRequestBytes);
    parser_->body_limit(kMaxMetricsRequestBytes);
    stream_.expires_after(kMetricsRequestTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->answer(self->parser_->release());
    });
  }

private:
  void answer(const Request& req) {
    const auto target = std::string_view(req.target());
    const auto path = target.substr(0, target.find('?'));
    protocol::HttpReply reply;
    if (path != "/metrics") reply = protocol::json_error(404, "not found");
    else if (req.method() != http::verb::get && req.method() != http::verb::head)
      reply = protocol::method_not_allowed("GET, HEAD");
    else reply = source_.reply();
    auto res = std::make_shared<StringResponse>(to_response(reply, req));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) return self->close();
      self->read();
    });
  }
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const MetricsSource& source_;
};

}  // namespace

MetricsListener::MetricsListener(asio::io_context& io, const MetricsSource& source) : acceptor_(io), retry_(io), source_(source) {}

void MetricsListener::start(const std::string& address, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  accept();
}

void MetricsListener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

std::uint16_t MetricsListener::port() const { return acceptor_.local_endpoint().port(); }

void MetricsListener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: back off briefly, keep serving.
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](boost::system::error_code) { accept(); });
      return;
    }
    std::make_shared<MetricsSession>(std::move(socket), source_)->read();
    accept();
  });
}

}  // namespace parley::transport
