// A data channel: text and binary messages, back-pressure through bufferedAmount and a low
// threshold callback, graceful close. Callbacks run on the factory's executor.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace parley::peer {

struct DataMessage {
  bool binary = false;
  std::string data;  // bytes, for text as for binary
};

enum class ChannelState { Connecting, Open, Closing, Closed };

class DataChannel {
 public:
  virtual ~DataChannel() = default;

  virtual std::string label() const = 0;
  // SCTP stream id; -1 until known (before the DTLS role is decided).
  virtual int id() const = 0;
  virtual ChannelState state() const = 0;

  // Queue one message; false if the channel is not open or the message was refused. Blocking
  // for a few microseconds (it crosses to libwebrtc's threads): call it from the executor, never
  // from a libwebrtc thread.
  virtual bool send_text(std::string_view text) = 0;
  virtual bool send_binary(std::span<const uint8_t> bytes) = 0;
  bool send_binary(std::string_view bytes) {
    return send_binary(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  // Bytes queued by send_*() and not yet handed to SCTP.
  virtual uint64_t buffered_amount() const = 0;
  // on_buffered_amount_low fires once each time the amount falls to or below this after having
  // been above it (like RTCDataChannel.bufferedAmountLowThreshold).
  virtual void set_buffered_amount_low_threshold(uint64_t bytes) = 0;

  virtual void close() = 0;

  // Set these right after creating the channel, or inside on_data_channel: events are
  // delivered in order on the executor, so none is missed.
  virtual void on_open(std::function<void()> cb) = 0;
  virtual void on_message(std::function<void(DataMessage&&)> cb) = 0;
  virtual void on_buffered_amount_low(std::function<void()> cb) = 0;
  // Called once, when the channel reaches Closed (by either side, or with its connection).
  virtual void on_closed(std::function<void()> cb) = 0;
};

}  // namespace parley::peer
