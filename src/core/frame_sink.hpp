#pragma once
// What core needs from a connection's transport: enqueue a frame, or close. Implementations
// must never call back into core synchronously (a broadcast is iterating when they are called).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::core {

// One encoded frame, shared by every recipient of a broadcast.
using SharedFrame = std::shared_ptr<const std::string>;

inline SharedFrame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

enum class CloseCode : std::uint16_t {
  normal = 1000,       // idle timeout
  going_away = 1001,   // server shutdown
  policy = 1008,       // abuse, unauthorized, queue overflow, account deleted
  too_big = 1009,      // frame over 1 MiB
  internal = 1011,
};

class FrameSink {
public:
  virtual ~FrameSink() = default;
  // Enqueues without blocking. A sink whose bounded queue overflows closes itself (1008).
  virtual void send(SharedFrame frame) = 0;
  virtual void close(CloseCode code, std::string_view reason) = 0;
};

}  // namespace parley::core
