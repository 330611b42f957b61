#pragma once
// Internal: makes the libwebrtc-backed PeerConnection (peer_connection_impl.cpp) on an Engine.
#include <memory>

#include "peer/peer_connection.hpp"

namespace parley::peer::detail {

class Engine;

// nullptr if libwebrtc refuses the configuration. The connection is tracked by `engine`, which
// closes it at shutdown if it is still alive.
std::shared_ptr<PeerConnection> create_peer_connection(const std::shared_ptr<Engine>& engine,
                                                       const PeerConfig& config, PeerCallbacks callbacks);

}  // namespace parley::peer::detail
