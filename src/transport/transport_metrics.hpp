#pragma once
// The counters the transport increments for /metrics: frames written, close frames, connections
// dropped without one, refused WebSocket handshakes, login results. Owned by the WsHub; rendered
// with the core's (signalling/metrics.hpp) by metrics_route.*. Everything but the logins is
// counted on the I/O thread (Counter); login results are SharedCounters.
#include <array>
#include <cstdint>
#include <string_view>

#include "signalling/metrics.hpp"

namespace parley::transport {

// Frames queued to a connection, by what caused them (FrameSink::send / reply / send_presence,
// and WebSocket pongs).
enum class FrameOut : std::uint8_t { relay, reply, presence, pong, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(FrameOut::count_)> kFrameOutNames = {
    "relay", "reply", "presence", "pong"};

// The code of a close frame, as a label.
enum class CloseLabel : std::uint8_t { c1000, c1001, c1002, c1003, c1007, c1008, c1009, c1011, other, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(CloseLabel::count_)> kCloseLabelNames = {
    "1000", "1001", "1002", "1003", "1007", "1008", "1009", "1011", "other"};
CloseLabel close_label(std::uint16_t code) noexcept;

// A connection ended without a close handshake, by the server's decision.
enum class DropReason : std::uint8_t { send_queue_overflow, write_stalled, close_timeout, close_ignored, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(DropReason::count_)> kDropReasonNames = {
    "send_queue_overflow", "write_stalled", "close_timeout", "close_ignored"};

// Why a WebSocket upgrade request was refused.
enum class HandshakeFailure : std::uint8_t {
  unknown_host, origin_refused, bad_version, bad_key, server_full, accounts_unavailable, penalised, count_
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(HandshakeFailure::count_)>
    kHandshakeFailureNames = {"unknown_host", "origin_refused", "bad_version", "bad_key", "server_full",
                              "accounts_unavailable", "penalised"};

// The answer of a login callback: a 3xx (signed in), a 4xx (refused: bad nonce, denied, bad
// signature) or a 5xx (the provider or the database failed).
enum class LoginResult : std::uint8_t { ok, refused, error, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(LoginResult::count_)> kLoginResultNames = {
    "ok", "refused", "error"};
LoginResult login_result(unsigned http_status) noexcept;

enum class LoginProvider : std::uint8_t { github, kioubit, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(LoginProvider::count_)> kLoginProviderNames = {
    "github", "kioubit"};

struct TransportMetrics {
  template <typename L>
  using Labelled = signalling::LabelledCounter<L>;

  Labelled<FrameOut> frames_out;
  signalling::Counter presence_coalesced;  // presence frames replaced in a queue by a newer one
  Labelled<CloseLabel> closes_by_server;   // close frames the server started
  Labelled<CloseLabel> closes_by_client;   // the client's close, echoed
  Labelled<DropReason> dropped;
  Labelled<HandshakeFailure> handshake_failures;
  signalling::Counter handshakes;          // upgrades accepted (101)
  signalling::Counter tls_handshakes;      // TLS handshakes completed (--tls-cert)
  signalling::Counter tls_handshake_failures;  // TLS handshakes that failed or timed out
  std::array<signalling::LabelledCounter<LoginResult, signalling::SharedCounter>,
             static_cast<std::size_t>(LoginProvider::count_)>
      logins{};
};

}  // namespace parley::transport
