// The entry point of the peer layer: one per process. It owns libwebrtc's three threads and its
// PeerConnectionFactory, and creates connections that share them.
#pragma once

#include <memory>

#include "peer/peer_connection.hpp"
#include "peer/types.hpp"

namespace parley::peer {

namespace detail {
class Engine;
}

struct FactoryOptions {
  Executor executor;           // required; runs every callback
  bool loopback_only = false;  // gather only loopback candidates (tests and benchmarks)
  bool verbose_log = false;    // libwebrtc's own log at INFO instead of WARNING
  // Received data-channel messages waiting for the executor, per connection and in total.
  // A message over a limit is dropped and its channel closed (a flood, not a conversation).
  uint64_t max_inbound_bytes_per_connection = 16ull << 20;
  uint64_t max_inbound_messages_per_connection = 1024;
  uint64_t max_inbound_bytes_total = 256ull << 20;
  uint64_t max_inbound_messages_total = 65536;
};

class Factory {
 public:
  explicit Factory(FactoryOptions options);
  // Closes every connection that is still alive, then stops the threads.
  ~Factory();
  Factory(const Factory&) = delete;
  Factory& operator=(const Factory&) = delete;

  // nullptr if libwebrtc refuses the configuration (for example a malformed ICE URL).
  std::shared_ptr<PeerConnection> create(const PeerConfig& config, PeerCallbacks callbacks);

  // Connections created and not yet destroyed (for leak checks).
  size_t live_connections() const;

 private:
  std::shared_ptr<detail::Engine> engine_;
};

}  // namespace parley::peer
