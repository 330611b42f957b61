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
  // SCTP receive window: how much a sender may have in flight to us. Debian's libwebrtc is built
  // with DCHECKs, and one of them walks all of a sender's unacknowledged data on every packet, so
  // the 5 MiB default makes a fast sender slower as its window fills (docs/BENCHMARKS.md, bots).
  // It must stay well above the 256 KiB largest message, or a message could never be reassembled.
  // Inbound throughput is at most window / round-trip time: 384 KiB is 38 MB/s at 10 ms, 3.8 MB/s at 100 ms.
  uint64_t sctp_receive_window = kDefaultSctpReceiveWindow;
  static constexpr uint64_t kDefaultSctpReceiveWindow = 384 * 1024;
  static constexpr uint64_t kMinSctpReceiveWindow = 320 * 1024;
  static constexpr uint64_t kMaxSctpReceiveWindow = 16 * 1024 * 1024;
  // UDP receive buffer of every ICE socket (0: the kernel's default, 208 KiB on Linux). A full
  // window arrives as ~1,200-byte datagrams that the kernel accounts at about twice their size, so
  // 3x the window lets a socket hold all a sender may have in flight instead of dropping it (a
  // drop costs dcsctp a retransmission and halves its send rate). Capped by net.core.rmem_max.
  uint64_t udp_receive_buffer = 3 * kDefaultSctpReceiveWindow;
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
