// Plain value types of the peer layer. Nothing here depends on libwebrtc, so the layers above
// (bots, tests) never see its types and the backend can be swapped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::peer {

// Runs one task later on the caller's event loop. It must be serial (one task at a time, in
// order) and must never block: libwebrtc threads call it and return at once.
using Executor = std::function<void(std::function<void()>)>;

// An RTCSessionDescriptionInit: type is "offer" or "answer".
struct SessionDescription {
  std::string type;
  std::string sdp;
};

// An RTCIceCandidateInit. candidate starts with "candidate:" (never "a=").
struct IceCandidate {
  std::string candidate;
  std::string sdp_mid;
  int sdp_mline_index = 0;
  std::string username_fragment;  // may be empty
};

// One STUN or TURN server; credentials are only used by turn:/turns: URLs.
struct IceServer {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

// A DTLS certificate and its private key, both PEM. A connection given one presents it instead of
// a fresh one, so its fingerprint (and the safety numbers peers compute from it) stays the same.
struct CertificatePem {
  std::string private_key;
  std::string certificate;
};

// What a certificate is to peers: the fingerprint of it in our SDP, and when it stops being valid.
struct CertificateInfo {
  std::string fingerprint;  // "sha-256 AB:CD:…", as protocol::sdp_fingerprint writes it
  std::chrono::system_clock::time_point expires;
};

// Mirrors RTCPeerConnectionState.
enum class ConnectionState { New, Connecting, Connected, Disconnected, Failed, Closed };
std::string_view to_string(ConnectionState state);

// Decoded remote audio, interleaved signed 16-bit PCM.
struct AudioFrame {
  std::vector<int16_t> samples;
  int sample_rate = 0;
  int channels = 0;
};

}  // namespace parley::peer
