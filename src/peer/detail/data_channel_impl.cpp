#include "peer/detail/data_channel_impl.hpp"

#include <spdlog/spdlog.h>

#include "rtc_base/copy_on_write_buffer.h"

namespace parley::peer::detail {

DataChannelImpl::DataChannelImpl(Executor executor, rtc::Thread* signaling,
                                 rtc::scoped_refptr<webrtc::DataChannelInterface> channel, InboundBudgets budgets)
    : executor_(std::move(executor)),
      signaling_(signaling),
      budgets_(std::move(budgets)),
      label_(channel->label()),
      channel_(std::move(channel)) {}

DataChannelImpl::~DataChannelImpl() { release(); }

void DataChannelImpl::attach() {
  // Incoming channels keep their received messages until an observer registers, so nothing
  // is lost between OnDataChannel and here.
  if (auto ch = channel()) ch->RegisterObserver(this);
}

void DataChannelImpl::release() {
  rtc::scoped_refptr<webrtc::DataChannelInterface> ch;
  {
    std::lock_guard lock(mutex_);
    ch = std::move(channel_);
    channel_ = nullptr;
  }
  if (ch) ch->UnregisterObserver();  // after this, libwebrtc no longer calls us
}

rtc::scoped_refptr<webrtc::DataChannelInterface> DataChannelImpl::channel() const {
  std::lock_guard lock(mutex_);
  return channel_;
}

int DataChannelImpl::id() const {
  auto ch = channel();
  return ch ? ch->id() : -1;
}

ChannelState DataChannelImpl::state() const {
  auto ch = channel();
  if (!ch) return ChannelState::Closed;
  switch (ch->state()) {
    case webrtc::DataChannelInterface::kConnecting: return ChannelState::Connecting;
    case webrtc::DataChannelInterface::kOpen: return ChannelState::Open;
    case webrtc::DataChannelInterface::kClosing: return ChannelState::Closing;
    case webrtc::DataChannelInterface::kClosed: return ChannelState::Closed;
  }
  return ChannelState::Closed;
}

bool DataChannelImpl::send_text(std::string_view text) {
  return send(webrtc::DataBuffer(rtc::CopyOnWriteBuffer(text.data(), text.size()), false));
}

bool DataChannelImpl::send_binary(std::span<const uint8_t> bytes) {
  return send(webrtc::DataBuffer(rtc::CopyOnWriteBuffer(bytes.data(), bytes.size()), true));
}

bool DataChannelImpl::send(const webrtc::DataBuffer& buffer) {
  auto ch = channel();
  if (!ch) return false;
  bool ok = false;
  uint64_t amount = 0;
  // One hop to the signalling thread for the whole send; there the proxy calls are direct.
  signaling_->BlockingCall([&] {
    if (ch->state() != webrtc::DataChannelInterface::kOpen) return;
    // libwebrtc closes a channel whose queue passes 16 MiB; refuse instead.
    if (ch->buffered_amount() + buffer.size() > webrtc::DataChannelInterface::MaxSendQueueSize()) return;
    ok = ch->Send(buffer);
    amount = ch->buffered_amount();
    buffered_ = amount;
  });
  if (!ok) return false;
  if (amount > low_threshold_) {
    low_armed_ = true;
    // The queue may have drained meanwhile: re-check so the event is not lost.
    if (buffered_ <= low_threshold_ && low_armed_.exchange(false)) fire_low();
  }
  return true;
}

uint64_t DataChannelImpl::buffered_amount() const { return channel() ? buffered_.load() : 0; }

void DataChannelImpl::close() {
  if (auto ch = channel()) ch->Close();
}

void DataChannelImpl::on_open(std::function<void()> cb) {
  std::lock_guard lock(mutex_);
  on_open_ = std::move(cb);
}
void DataChannelImpl::on_message(std::function<void(DataMessage&&)> cb) {
  std::lock_guard lock(mutex_);
  on_message_ = std::move(cb);
}
void DataChannelImpl::on_buffered_amount_low(std::function<void()> cb) {
  std::lock_guard lock(mutex_);
  on_low_ = std::move(cb);
}
void DataChannelImpl::on_closed(std::function<void()> cb) {
  std::lock_guard lock(mutex_);
  on_closed_ = std::move(cb);
}

void DataChannelImpl::fire_low() {
  executor_([weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    std::function<void()> cb;
    {
      std::lock_guard lock(self->mutex_);
      cb = self->on_low_;
    }
    if (cb) cb();
  });
}

void DataChannelImpl::OnStateChange() {
  auto ch = channel();
  if (!ch) return;
  auto state = ch->state();  // on the signalling thread: a direct call, not a hop
  if (state != webrtc::DataChannelInterface::kOpen && state != webrtc::DataChannelInterface::kClosed) return;
  bool open = state == webrtc::DataChannelInterface::kOpen;
  executor_([weak = weak_from_this(), open] {
    auto self = weak.lock();
    if (!self) return;
    std::function<void()> cb;
    {
      std::lock_guard lock(self->mutex_);
      cb = open ? self->on_open_ : self->on_closed_;
    }
    if (open) {
      if (cb) cb();
      return;
    }
    if (self->closed_reported_) return;
    self->closed_reported_ = true;
    // A closed channel is done: free libwebrtc's side now, not with its connection.
    self->release();
    if (cb) cb();
    std::lock_guard lock(self->mutex_);
    self->on_open_ = nullptr;
    self->on_message_ = nullptr;
    self->on_low_ = nullptr;
    self->on_closed_ = nullptr;
  });
}

void DataChannelImpl::OnMessage(const webrtc::DataBuffer& buffer) {
  if (flooded_) return;  // closing: the rest of the flood is dropped
  // What a waiting message costs: its bytes and the task around them.
  const uint64_t cost = buffer.data.size() + 256;
  bool ok = budgets_.connection->take(cost);
  if (ok && !budgets_.process->take(cost)) {
    budgets_.connection->give(cost);
    ok = false;
  }
  if (!ok) {
    flooded_ = true;
    spdlog::warn("peer: channel '{}' receives faster than its messages are handled; closed", label_.substr(0, 32));
    // Closed from a fresh task: not from inside libwebrtc's own message callback.
    if (auto ch = channel()) signaling_->PostTask([ch] { ch->Close(); });
    return;
  }
  auto charge = std::make_shared<InboundCharge>(budgets_.connection, budgets_.process, cost);
  DataMessage message{buffer.binary, std::string(buffer.data.cdata<char>(), buffer.data.size())};
  executor_([weak = weak_from_this(), message = std::move(message), charge = std::move(charge)]() mutable {
    auto self = weak.lock();
    if (!self) return;
    std::function<void(DataMessage&&)> cb;
    {
      std::lock_guard lock(self->mutex_);
      cb = self->on_message_;
    }
    if (cb) cb(std::move(message));
  });
}

void DataChannelImpl::OnBufferedAmountChange(uint64_t /*sent_data_size*/) {
  auto ch = channel();
  if (!ch) return;
  buffered_ = ch->buffered_amount();
  if (buffered_ <= low_threshold_ && low_armed_.exchange(false)) fire_low();
}

}  // namespace parley::peer::detail
