#pragma once
// Time sources, injectable so that core logic is testable without sleeping.
#include <chrono>
#include <cstdint>

namespace parley::signalling {

class Clock {
public:
  virtual ~Clock() = default;
  virtual std::int64_t unix_ms() const = 0;    // wall clock, for timestamps on the wire
  virtual std::int64_t steady_ms() const = 0;  // monotonic, for timeouts and rate limits
  std::int64_t unix_s() const { return unix_ms() / 1000; }
};

class SystemClock final : public Clock {
public:
  std::int64_t unix_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  std::int64_t steady_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

}  // namespace parley::signalling
