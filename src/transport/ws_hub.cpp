#include "transport/ws_hub.hpp"

#include <boost/asio/post.hpp>

#include "transport/ws_connection.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace parley::transport {

WsHub::WsHub(boost::asio::io_context& io, signalling::SignallingService& service, const signalling::Clock& clock, WsLimits limits)
    : io_(io), service_(service), clock_(clock), limits_(limits), scratch_(64 * 1024), sweep_timer_(io) {}

WsHub::~WsHub() = default;

void WsHub::adopt(const std::shared_ptr<WsConnection>& connection) { connections_[connection.get()] = connection; }

void WsHub::forget(WsConnection* connection) { connections_.erase(connection); }

void WsHub::schedule_flush(std::shared_ptr<WsConnection> connection) {
  pending_flushes_.push_back(std::move(connection));
  if (pending_flushes_.size() == 1) boost::asio::post(io_, [this] { run_flushes(); });
}

void WsHub::run_flushes() {
  // Swap first: a flush that fails aborts, which may schedule more work.
  flushing_.swap(pending_flushes_);
  for (const auto& conn : flushing_) conn->run_scheduled_flush();
  flushing_.clear();
  if (flushing_.capacity() > 4096) std::vector<std::shared_ptr<WsConnection>>().swap(flushing_);
}

void WsHub::start_sweeper() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    sweep();
    start_sweeper();
  });
}

void WsHub::sweep() {
  const auto now = clock_.steady_ms();
  // Copy first: a timeout may end a connection and erase it from the map.
  std::vector<std::shared_ptr<WsConnection>> all;
  all.reserve(connections_.size());
  for (const auto& [ptr, conn] : connections_) all.push_back(conn);
  for (const auto& conn : all) conn->check_timeouts(now);
  trim_heap_after_burst();
}

void WsHub::trim_heap_after_burst() {
  // A burst (a registration wave broadcasting O(N) frames) leaves freed queue memory in malloc's
  // arenas. Hand it back once the burst is over, so RSS returns to the idle level.
  constexpr std::size_t kBurstFrames = 50'000;  // per second
  constexpr std::size_t kQuietFrames = 1'000;
  const std::size_t last_second = frames_flushed_ - frames_at_last_sweep_;
  frames_at_last_sweep_ = frames_flushed_;
  if (last_second >= kBurstFrames) burst_since_trim_ = true;
  if (burst_since_trim_ && last_second < kQuietFrames) {
    burst_since_trim_ = false;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
  }
}

void WsHub::close_all(signalling::CloseCode code, std::string_view reason) {
  std::vector<std::shared_ptr<WsConnection>> all;
  for (const auto& [ptr, conn] : connections_) all.push_back(conn);
  for (const auto& conn : all) conn->close(code, reason);
}

}  // namespace parley::transport
