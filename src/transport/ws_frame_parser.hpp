#pragma once
// Server-side RFC 6455 frame parsing and framing. Pure byte logic, no I/O, so it is unit-tested
// and fuzzed on its own. Why not Beast's websocket stream: the server writes every queued frame
// of a connection in one gathered write (broadcasts are O(N) frames) and keeps no per-connection
// read buffer while idle; see docs/ARCHITECTURE.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::transport {

enum class WsOpcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

// One event produced by the parser.
struct WsEvent {
  enum class Kind {
    text,          // a complete text message (payload)
    binary,        // a complete binary message (payload dropped)
    too_large,     // a message over the soft limit finished (payload dropped)
    ping,          // control frame (payload)
    pong,
    close,         // peer's close frame (close_code, 1005 if it had none; payload = reason)
    protocol_error,  // fatal: close with close_code (1002, 1007 or 1009)
  } kind;
  std::string payload;
  std::uint16_t close_code = 0;
};

// Incremental parser: feed bytes as they arrive, collect events. Messages up to `soft_limit`
// are assembled; bigger ones (up to `hard_limit`) are counted and dropped; beyond `hard_limit`
// the parser reports a protocol error with code 1009. Memory stays bounded by soft_limit.
class WsFrameParser {
public:
  WsFrameParser(std::size_t soft_limit, std::size_t hard_limit) : soft_limit_(soft_limit), hard_limit_(hard_limit) {}

  // Consumes as many bytes of `data` as form complete frame headers/payload pieces and calls
  // `on_event(WsEvent&&)` for each finished event. Returns false after a protocol error.
  template <class OnEvent>
  bool feed(std::string_view data, OnEvent&& on_event);

  // Frees the buffer grown by a large message once it is complete, so idle connections stay small.
  void shrink() {
    if (!in_message_ && message_.capacity() > 4096) std::string().swap(message_);
  }

private:
  enum class State { header, payload };
  bool parse_header(WsEvent& error);
  void unmask(char* p, std::size_t n);

  std::size_t soft_limit_, hard_limit_;
  State state_ = State::header;
  std::string header_;  // partial header bytes
  // Current frame
  bool fin_ = false;
  WsOpcode opcode_ = WsOpcode::continuation;
  std::uint64_t remaining_ = 0;
  std::uint8_t mask_[4] = {};
  std::size_t mask_pos_ = 0;
  std::string control_;  // current control frame payload
  // Current (possibly fragmented) data message
  bool in_message_ = false;
  WsOpcode message_opcode_ = WsOpcode::text;
  std::uint64_t message_size_ = 0;
  std::string message_;
};

// Header of an unmasked server frame (2, 4 or 10 bytes) written into `out`; returns its size.
std::size_t write_ws_header(unsigned char out[10], WsOpcode opcode, std::size_t payload_size);
// A complete close frame payload (code + reason).
std::string close_payload(std::uint16_t code, std::string_view reason);

// Codes a peer may put in its close frame (RFC 6455 §7.4, IANA registry): 1000–1003, 1007–1014,
// 3000–4999. Never 1005, 1006 or 1015, which mean "none was sent" locally.
bool is_valid_peer_close_code(std::uint16_t code);

// The event for a peer's close frame payload (RFC 6455 §5.5.1): `close` with code and reason
// (code 1005 when empty), or a `protocol_error` with 1002 (one byte, or a code a peer may not
// send) or 1007 (a reason that is not UTF-8).
WsEvent close_event(std::string payload);

// ---- implementation of the template ----

template <class OnEvent>
bool WsFrameParser::feed(std::string_view data, OnEvent&& on_event) {
  while (!data.empty()) {
    if (state_ == State::header) {
      // Collect header bytes one frame at a time; the header is 2..14 bytes.
      const std::size_t before = header_.size();
      header_.append(data.substr(0, 14 - before));
      WsEvent error{WsEvent::Kind::protocol_error, {}, 0};
      const std::size_t have = header_.size();
      if (have < 2) return data = {}, true;
      const auto b1 = static_cast<unsigned char>(header_[1]);
      if (!(b1 & 0x80)) {  // clients must mask: fail now rather than wait for mask bytes
        on_event(WsEvent{WsEvent::Kind::protocol_error, {}, 1002});
        return false;
      }
      std::size_t need = 2 + ((b1 & 0x7F) == 126 ? 2 : (b1 & 0x7F) == 127 ? 8 : 0) + 4;
      if (have < need) return data = {}, true;
      if (!parse_header(error)) {
        on_event(std::move(error));
        return false;
      }
      data.remove_prefix(need - before);
      header_.clear();
      state_ = State::payload;
      if (remaining_ > 0) continue;
    }
    // Payload bytes of the current frame.
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
    const bool control = static_cast<std::uint8_t>(opcode_) >= 0x8;
    if (control) {
      const std::size_t at = control_.size();
      control_.append(data.substr(0, take));
      unmask(control_.data() + at, take);
    } else {
      message_size_ += take;
      if (message_size_ > hard_limit_) {
        on_event(WsEvent{WsEvent::Kind::protocol_error, {}, 1009});
        return false;
      }
      if (message_size_ <= soft_limit_ && message_opcode_ == WsOpcode::text) {
        const std::size_t at = message_.size();
        message_.append(data.substr(0, take));
        unmask(message_.data() + at, take);
      } else {
        mask_pos_ = (mask_pos_ + take) % 4;  // dropped bytes still advance the mask
        std::string().swap(message_);
      }
    }
    data.remove_prefix(take);
    remaining_ -= take;
    if (remaining_ > 0) continue;

    // Frame complete.
    state_ = State::header;
    if (control) {
      WsEvent ev{WsEvent::Kind::ping, std::move(control_), 0};
      control_.clear();
      if (opcode_ == WsOpcode::pong) ev.kind = WsEvent::Kind::pong;
      if (opcode_ == WsOpcode::close) ev = close_event(std::move(ev.payload));
      const bool fatal = ev.kind == WsEvent::Kind::protocol_error;
      on_event(std::move(ev));
      if (fatal) return false;
      continue;
    }
    if (!fin_) continue;
    WsEvent ev{WsEvent::Kind::text, {}, 0};
    if (message_size_ > soft_limit_) ev.kind = WsEvent::Kind::too_large;
    else if (message_opcode_ == WsOpcode::binary) ev.kind = WsEvent::Kind::binary;
    else ev.payload = std::move(message_);
    message_.clear();
    in_message_ = false;
    message_size_ = 0;
    on_event(std::move(ev));
  }
  return true;
}

}  // namespace parley::transport
