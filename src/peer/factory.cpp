// The public entry point: a Factory owns the process's Engine and makes connections with it.
#include "peer/factory.hpp"

#include <stdexcept>

#include "peer/detail/engine.hpp"
#include "peer/detail/peer_connection_impl.hpp"

namespace parley::peer {

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::New: return "new";
    case ConnectionState::Connecting: return "connecting";
    case ConnectionState::Connected: return "connected";
    case ConnectionState::Disconnected: return "disconnected";
    case ConnectionState::Failed: return "failed";
    case ConnectionState::Closed: return "closed";
  }
  return "unknown";
}

namespace {
FactoryOptions checked(FactoryOptions options) {
  if (options.sctp_receive_window < FactoryOptions::kMinSctpReceiveWindow ||
      options.sctp_receive_window > FactoryOptions::kMaxSctpReceiveWindow)
    throw std::invalid_argument("SCTP receive window out of range (320 KiB to 16 MiB)");
  if (options.udp_receive_buffer > (64u << 20)) throw std::invalid_argument("UDP receive buffer over 64 MiB");
  return options;
}
}  // namespace

Factory::Factory(FactoryOptions options) : engine_(std::make_shared<detail::Engine>(checked(std::move(options)))) {}

Factory::~Factory() { engine_->shutdown(); }

std::shared_ptr<PeerConnection> Factory::create(const PeerConfig& config, PeerCallbacks callbacks) {
  return detail::create_peer_connection(engine_, config, std::move(callbacks));
}

size_t Factory::live_connections() const { return engine_->live_connections(); }

}  // namespace parley::peer
