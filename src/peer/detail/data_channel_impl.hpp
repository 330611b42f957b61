// Internal: DataChannel over libwebrtc's DataChannelInterface.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "api/data_channel_interface.h"
#include "peer/data_channel.hpp"
#include "peer/detail/inbound_budget.hpp"
#include "peer/types.hpp"
#include "rtc_base/thread.h"

namespace parley::peer::detail {

class DataChannelImpl final : public DataChannel,
                              public webrtc::DataChannelObserver,
                              public std::enable_shared_from_this<DataChannelImpl> {
 public:
  // Call attach() right after construction. release() may run on the signalling thread or the
  // executor; it is how a closing connection detaches its channels before the threads stop.
  DataChannelImpl(Executor executor, rtc::Thread* signaling, rtc::scoped_refptr<webrtc::DataChannelInterface> channel,
                  InboundBudgets budgets);
  ~DataChannelImpl() override;
  void attach();
  // Unregisters from libwebrtc and drops the proxy; later calls are no-ops.
  void release();

  std::string label() const override { return label_; }
  int id() const override;
  ChannelState state() const override;
  bool send_text(std::string_view text) override;
  bool send_binary(std::span<const uint8_t> bytes) override;
  uint64_t buffered_amount() const override;
  void set_buffered_amount_low_threshold(uint64_t bytes) override { low_threshold_ = bytes; }
  void close() override;
  void on_open(std::function<void()> cb) override;
  void on_message(std::function<void(DataMessage&&)> cb) override;
  void on_buffered_amount_low(std::function<void()> cb) override;
  void on_closed(std::function<void()> cb) override;

  // webrtc::DataChannelObserver, on the signalling thread: copy, post, return.
  void OnStateChange() override;
  void OnMessage(const webrtc::DataBuffer& buffer) override;
  void OnBufferedAmountChange(uint64_t sent_data_size) override;

 private:
  rtc::scoped_refptr<webrtc::DataChannelInterface> channel() const;
  bool send(const webrtc::DataBuffer& buffer);
  void fire_low();

  Executor executor_;
  rtc::Thread* signaling_;
  InboundBudgets budgets_;
  std::atomic<bool> flooded_{false};
  const std::string label_;
  mutable std::mutex mutex_;
  rtc::scoped_refptr<webrtc::DataChannelInterface> channel_;  // null once released
  std::function<void()> on_open_, on_low_, on_closed_;
  std::function<void(DataMessage&&)> on_message_;
  std::atomic<uint64_t> low_threshold_{0};
  std::atomic<bool> low_armed_{false};
  // Last buffered amount seen on the signalling thread (after a send or a drain), so that
  // pacing loops need no extra thread hop per chunk.
  std::atomic<uint64_t> buffered_{0};
  bool closed_reported_ = false;  // executor only
};

}  // namespace parley::peer::detail
