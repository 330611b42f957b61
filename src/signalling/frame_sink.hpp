#pragma once
// What core needs from a connection's transport: enqueue a frame, or close. Implementations
// must never call back into core synchronously (a broadcast is iterating when they are called).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::signalling {

// One encoded frame, shared by every recipient of a broadcast.
using SharedFrame = std::shared_ptr<const std::string>;

inline SharedFrame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// A presence change of one connection (the subject), encoded once and shared by every viewer.
// A viewer's transport may coalesce: a newer event of the same kind for the same subject replaces
// one still waiting in its queue, so its backlog is bounded by the subjects, not by their churn.
enum class PresenceKind : std::uint8_t { online, rename, offline };
inline constexpr std::size_t kPresenceKinds = 3;

struct PresenceEvent {
  std::string subject;  // node id
  PresenceKind kind;
  std::string text;     // the encoded frame
};
using SharedPresence = std::shared_ptr<const PresenceEvent>;

inline SharedPresence make_presence(std::string subject, PresenceKind kind, std::string text) {
  return std::make_shared<const PresenceEvent>(PresenceEvent{std::move(subject), kind, std::move(text)});
}
// The event's frame, sharing the event's allocation.
inline SharedFrame frame_of(const SharedPresence& p) { return SharedFrame(p, &p->text); }

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
  // A frame from someone else (a relay). Enqueues without blocking; a sink whose bounded queue
  // overflows closes itself (1008).
  virtual void send(SharedFrame frame) = 0;
  // An answer to this connection's own frame (register reply, pong, error). Bounded by the
  // connection's own rate budget, so it never counts against the queue bound: a client that
  // bursts within its budget is answered, not disconnected.
  virtual void reply(SharedFrame frame) { send(std::move(frame)); }
  // A presence broadcast (online, rename, offline); may be coalesced per subject and kind.
  virtual void send_presence(const SharedPresence& event) { send(frame_of(event)); }
  virtual void close(CloseCode code, std::string_view reason) = 0;
};

}  // namespace parley::signalling
