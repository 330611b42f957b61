#pragma once
// GET /metrics: the counters of signalling (signalling/metrics.hpp) and transport
// (transport_metrics.hpp), the process's own figures (/proc/self) and the build, in the
// Prometheus text exposition format 0.0.4. Served on the main port only with --metrics, or on a
// listener of its own (--metrics-listen); docs/METRICS.md lists every metric.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/http_reply.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/http_routes.hpp"
#include "transport/transport_metrics.hpp"

namespace parley::transport {

// A label value in the text format: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// A HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view help);

// Writes families and samples of the text format into `out`.
class PrometheusWriter {
public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  explicit PrometheusWriter(std::string& out) : out_(out) {}
  // `# HELP` and `# TYPE` lines; type is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, Labels labels, std::int64_t value);
  void sample(std::string_view name, Labels labels, double value);

private:
  void begin(std::string_view name, Labels labels);
  std::string& out_;
};

// The process as the kernel sees it (all zero when /proc cannot be read).
struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // unix time
  double open_fds = 0;
  double max_fds = 0;
  bool ok = false;
};
ProcessStats read_process_stats();

// What /metrics shows. Render on the I/O thread (it reads the registry).
class MetricsSource {
public:
  MetricsSource(const signalling::SignallingService& service, const TransportMetrics& transport);
  std::string render() const;
  protocol::HttpReply reply() const;  // 200, text/plain; version=0.0.4

private:
  const signalling::SignallingService& service_;
  const TransportMetrics& transport_;
};

// /metrics (and /api/metrics) on the main port, replacing its default 404.
void install_metrics_route(HttpRoutes& routes, const MetricsSource& source);

// A listener of its own that answers GET /metrics and 404 for anything else (--metrics-listen).
class MetricsListener {
public:
  MetricsListener(boost::asio::io_context& io, const MetricsSource& source);
  void start(const std::string& address, std::uint16_t port);  // throws on bind failure
  void stop();
  std::uint16_t port() const;

private:
  void accept();
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  const MetricsSource& source_;
};

}  // namespace parley::transport
