#pragma once
// Per-connection abuse controls (§2.10): a token bucket for frames and a sliding error count.
#include <algorithm>
#include <array>
#include <cstdint>

namespace parley::signalling {

class TokenBucket {
public:
  TokenBucket() = default;
  TokenBucket(double rate_per_second, double burst, std::int64_t now_ms)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_ms_(now_ms) {}

  bool try_take(std::int64_t now_ms) {
    if (now_ms > last_ms_) {
      tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
      last_ms_ = now_ms;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

private:
  double rate_ = 0, burst_ = 0, tokens_ = 0;
  std::int64_t last_ms_ = 0;
};

// Counts errors in one-second slots over the last `kSlots` seconds: 18 bytes per connection
// instead of a timestamp per error.
class ErrorWindow {
public:
  static constexpr int kSlots = 10;

  // Records one error at `now_s` and returns the number of errors in the window.
  int record(std::int64_t now_s) {
    advance(now_s);
    auto& slot = counts_[static_cast<std::size_t>(now_s % kSlots)];
    if (slot < 255) ++slot;
    int total = 0;
    for (auto c : counts_) total += c;
    return total;
  }

private:
  void advance(std::int64_t now_s) {
    if (now_s - newest_s_ >= kSlots) {
      counts_.fill(0);
    } else {
      for (std::int64_t s = newest_s_ + 1; s <= now_s; ++s) counts_[static_cast<std::size_t>(s % kSlots)] = 0;
    }
    newest_s_ = std::max(newest_s_, now_s);
  }
  std::array<std::uint8_t, kSlots> counts_{};
  std::int64_t newest_s_ = 0;
};

}  // namespace parley::signalling
