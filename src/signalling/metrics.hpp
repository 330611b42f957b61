#pragma once
// The counters behind /metrics: the value types, and the ones the signalling core increments
// (frames, errors, rate limits, connections, frame handling time). The transport keeps its own
// (transport/transport_metrics.hpp) and renders both (transport/metrics_route.*); nothing here
// knows about HTTP or the text format.
//
// Cost on the hot path: a Counter is written by the I/O thread only, so counting is one relaxed
// load and one relaxed store (no locked instruction, no allocation); any thread may read it.
// A SharedCounter may be counted from any thread (one relaxed fetch_add).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signalling/connection.hpp"

namespace parley::signalling {

class Counter {
public:
  void inc(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

class SharedCounter {
public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

// Goes up and down; written by one thread.
class Gauge {
public:
  void add(std::int64_t n) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> v_{0};
};

// Durations in fixed buckets (upper bounds in ns, the last one +Inf); written by one thread.
class Histogram {
public:
  static constexpr std::array<std::uint64_t, 12> kBoundsNs = {
      5'000, 10'000, 20'000, 50'000, 100'000, 200'000, 500'000, 1'000'000, 2'000'000, 5'000'000, 10'000'000, 50'000'000};
  static constexpr std::size_t kBuckets = kBoundsNs.size() + 1;

  void observe_ns(std::uint64_t ns) noexcept {
    std::size_t i = 0;
    while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;  // most frames stop at the first or second
    buckets_[i].inc();
    sum_ns_.inc(ns);
    count_.inc();
  }
  // Observations in bucket i alone (not cumulative); i == kBoundsNs.size() is over the last bound.
  std::uint64_t bucket(std::size_t i) const noexcept { return buckets_[i].value(); }
  std::uint64_t sum_ns() const noexcept { return sum_ns_.value(); }
  std::uint64_t count() const noexcept { return count_.value(); }

private:
  std::array<Counter, kBuckets> buckets_{};
  Counter sum_ns_, count_;
};

// A counter per value of one label: `Label` is an enum whose last enumerator is `count_`, and
// `names` gives each value's label text in enumerator order.
template <typename Label, typename C = Counter>
class LabelledCounter {
public:
  static constexpr std::size_t kSize = static_cast<std::size_t>(Label::count_);
  void inc(Label l, std::uint64_t n = 1) noexcept { counters_[static_cast<std::size_t>(l)].inc(n); }
  std::uint64_t value(Label l) const noexcept { return counters_[static_cast<std::size_t>(l)].value(); }
  std::uint64_t value(std::size_t i) const noexcept { return counters_[i].value(); }

private:
  std::array<C, kSize> counters_{};
};

// What a received frame was: the steps of a decoded text frame (a frame carrying register and
// attributes_announcement counts once for each), or why it reached no step.
enum class FrameIn : std::uint8_t {
  register_, echo, attributes_announcement, rename, sdp_offer, ice_offer,
  other,         // valid JSON with none of the known payloads
  bad_json, bad_field,  // refused by the envelope decoder (its error code)
  rate_limited,  // dropped by the connection's frame budget before decoding
  too_large, binary, ping, pong,
  count_
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(FrameIn::count_)> kFrameInNames = {
    "register", "echo", "attributes_announcement", "rename", "sdp_offer", "ice_offer", "other",
    "bad_json", "bad_field", "rate_limited", "too_large", "binary", "ping", "pong"};

// The `error.code` of error frames sent to clients.
enum class ErrorCode : std::uint8_t {
  bad_json, bad_field, not_registered, unknown_peer, rate_limited, too_large, unauthorized, invalid_token, other,
  count_
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(ErrorCode::count_)> kErrorCodeNames = {
    "bad_json", "bad_field", "not_registered", "unknown_peer", "rate_limited", "too_large", "unauthorized",
    "invalid_token", "other"};
ErrorCode error_code_of(std::string_view code) noexcept;

// Why an sdp_offer or ice_offer was not relayed.
enum class RelayError : std::uint8_t { unknown_peer, not_registered, bad_field, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(RelayError::count_)> kRelayErrorNames = {
    "unknown_peer", "not_registered", "bad_field"};

// Which budget refused a frame or a step.
enum class RateBudget : std::uint8_t { frames, presence, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(RateBudget::count_)> kRateBudgetNames = {
    "frames", "presence"};

// How a connection authenticated at the handshake.
enum class ConnectionKind : std::uint8_t { anonymous, session, jwt, count_ };
inline constexpr std::array<std::string_view, static_cast<std::size_t>(ConnectionKind::count_)> kConnectionKindNames = {
    "anonymous", "session", "jwt"};
ConnectionKind connection_kind(const Identity& identity) noexcept;

struct SignallingMetrics {
  LabelledCounter<FrameIn> frames_in;
  LabelledCounter<ErrorCode> errors_sent;
  LabelledCounter<RelayError> relay_errors;
  LabelledCounter<RateBudget> rate_limited;
  LabelledCounter<ConnectionKind> connections_opened;
  std::array<Gauge, static_cast<std::size_t>(ConnectionKind::count_)> connections_open{};
  Counter registrations;   // successful register steps (re-registrations included)
  Counter abuse_closes;    // closed for more than the allowed errors in the window
  Counter penalties;       // abuse closes that made the client's address wait (abuse_penalties.hpp)
  Histogram frame_seconds;  // on_text, decode to the last step, steady clock
};

}  // namespace parley::signalling
