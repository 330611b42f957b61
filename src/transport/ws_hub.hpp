#pragma once
// Owns every live WebSocket connection of the process: the shared read buffer, the once-a-second
// timeout sweep, the connection cap and shutdown. Single-threaded: everything runs on one
// io_context thread, so nothing here locks.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <unordered_map>
#include <vector>

#include "signalling/clock.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/transport_metrics.hpp"

namespace parley::transport {

class WsConnection;

struct WsLimits {
  std::size_t max_queue_frames = 1024;
  std::size_t max_queue_bytes = 1 << 20;
  std::size_t max_message_bytes = 1 << 20;  // beyond: close 1009
  std::int64_t write_timeout_ms = 10'000;
  std::int64_t close_timeout_ms = 5'000;
  std::size_t max_connections = 10'000;
};

class WsHub {
public:
  WsHub(boost::asio::io_context& io, signalling::SignallingService& service, const signalling::Clock& clock, WsLimits limits);
  ~WsHub();

  void adopt(const std::shared_ptr<WsConnection>& connection);
  void forget(WsConnection* connection);
  std::size_t size() const { return connections_.size(); }
  bool full() const { return connections_.size() >= limits_.max_connections; }

  // Flushes the connection after the handlers that are ready now have run (one post per turn
  // for all connections, not one per frame).
  void schedule_flush(std::shared_ptr<WsConnection> connection);
  // Frames handed to the socket, for the heap trim after bursts.
  void note_flushed(std::size_t frames) { frames_flushed_ += frames; }

  void start_sweeper();
  void close_all(signalling::CloseCode code, std::string_view reason);

  // One read buffer for all connections: reads complete before the next one starts.
  std::vector<char>& scratch() { return scratch_; }
  signalling::SignallingService& service() { return service_; }
  const signalling::Clock& clock() const { return clock_; }
  const WsLimits& limits() const { return limits_; }
  boost::asio::io_context& io() { return io_; }
  TransportMetrics& metrics() { return metrics_; }
  const TransportMetrics& metrics() const { return metrics_; }

private:
  void sweep();
  void run_flushes();
  void trim_heap_after_burst();

  boost::asio::io_context& io_;
  signalling::SignallingService& service_;
  const signalling::Clock& clock_;
  WsLimits limits_;
  std::unordered_map<WsConnection*, std::shared_ptr<WsConnection>> connections_;
  std::vector<char> scratch_;
  boost::asio::steady_timer sweep_timer_;
  std::vector<std::shared_ptr<WsConnection>> pending_flushes_;
  std::vector<std::shared_ptr<WsConnection>> flushing_;
  std::size_t frames_flushed_ = 0;
  std::size_t frames_at_last_sweep_ = 0;
  bool burst_since_trim_ = false;
  bool stopped_ = false;
  TransportMetrics metrics_;
};

}  // namespace parley::transport
