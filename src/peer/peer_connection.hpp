// One WebRTC peer connection. Answerer by default; offers only when asked (renegotiation).
// All callbacks run on the factory's executor. Methods are meant to be called from there too.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "peer/audio_source.hpp"
#include "peer/data_channel.hpp"
#include "peer/types.hpp"

namespace parley::peer {

struct PeerConfig {
  std::vector<IceServer> ice_servers;
  // When set, ICE declares the connection failed after this long without answers
  // (libwebrtc's defaults are several seconds; tests use a short value).
  std::optional<std::chrono::milliseconds> failure_timeout;
  // Only relayed (TURN) candidates: hides host addresses; tests use it to prove TURN works.
  bool relay_only = false;
  // The DTLS certificate to present (peer/certificate.hpp); unset: libwebrtc makes a new one.
  // A certificate that does not load makes create() fail rather than fall back to a new one.
  std::optional<CertificatePem> certificate;
};

struct PeerCallbacks {
  // A local offer or answer was set: send it to the peer.
  std::function<void(const SessionDescription&)> on_local_description;
  // A local candidate was gathered: send it to the peer.
  std::function<void(const IceCandidate&)> on_local_candidate;
  std::function<void(ConnectionState)> on_state;
  // The peer opened a channel. Set its callbacks inside this handler.
  std::function<void(std::shared_ptr<DataChannel>)> on_data_channel;
  // Decoded audio of every remote audio track, 10 ms at a time. Only called while the
  // process's audio device pulls playout, which it does whenever a remote track exists.
  std::function<void(AudioFrame&&)> on_remote_audio;
};

class PeerConnection {
 public:
  virtual ~PeerConnection() = default;

  // An offer (first one or renegotiation, ICE restarts included) is applied and answered
  // through on_local_description. An answer completes our own offer. An offer that arrives
  // while our own offer is pending is dropped and logged: we never roll back (PROTOCOL §6.3).
  virtual void set_remote_description(const SessionDescription& description) = 0;
  // Candidates that arrive before any remote description are queued (bounded) and added right
  // after it. Failures (stale ufrag, unresolvable mDNS names) are ignored.
  virtual void add_remote_candidate(const IceCandidate& candidate) = 0;
  // Creates and sends an offer as soon as the signalling state is stable.
  virtual void offer() = 0;
  // Restarts ICE with a new offer (what a web client does on failure; bots only answer it).
  virtual void restart_ice() = 0;

  virtual std::shared_ptr<DataChannel> create_data_channel(const std::string& label) = 0;
  // Adds a send-only audio transceiver fed by `source`. With opus_only, Opus is the only codec
  // offered (PT 111, 48000/2, minptime=10;useinbandfec=1). Call offer() afterwards.
  virtual bool add_audio(std::shared_ptr<AudioSource> source, bool opus_only) = 0;

  virtual ConnectionState state() const = 0;
  // The peer's SCTP max-message-size, once the remote description is known.
  virtual std::optional<size_t> remote_max_message_size() const = 0;
  // The DTLS fingerprints of the applied (current) local and remote descriptions, as
  // protocol::sdp_fingerprint writes them: what the handshake is checked against, so what a
  // safety number is made of. nullopt before an offer/answer exchange has completed.
  virtual std::optional<std::string> local_fingerprint() const = 0;
  virtual std::optional<std::string> remote_fingerprint() const = 0;

  // Closes the connection and its channels, drops every callback (breaking reference cycles),
  // and releases all libwebrtc objects. Idempotent; the destructor calls it.
  virtual void close() = 0;
};

}  // namespace parley::peer
