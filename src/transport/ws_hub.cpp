#include "transport/ws_hub.hpp"

#include "transport/ws_connection.hpp"

namespace parley::transport {

WsHub::WsHub(boost::asio::io_context& io, core::SignallingService& service, const core::Clock& clock, WsLimits limits)
    : io_(io), service_(service), clock_(clock), limits_(limits), scratch_(64 * 1024), sweep_timer_(io) {}

WsHub::~WsHub() = default;

void WsHub::adopt(const std::shared_ptr<WsConnection>& connection) { connections_[connection.get()] = connection; }

void WsHub::forget(WsConnection* connection) { connections_.erase(connection); }

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
}

void WsHub::close_all(core::CloseCode code, std::string_view reason) {
  std::vector<std::shared_ptr<WsConnection>> all;
  for (const auto& [ptr, conn] : connections_) all.push_back(conn);
  for (const auto& conn : all) conn->close(code, reason);
}

}  // namespace parley::transport
