// Internal: a bound on received data-channel messages waiting on the executor (the bot's event
// loop). Every message is charged when libwebrtc hands it over and refunded once its callback
// has run, so a peer that floods a channel faster than it is handled cannot grow the queue
// without bound. One budget per connection and one for the whole process.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace parley::peer::detail {

class InboundBudget {
 public:
  InboundBudget(uint64_t max_bytes, uint64_t max_messages) : max_bytes_(max_bytes), max_messages_(max_messages) {}

  // Charges one message of `bytes`; false (nothing charged) when it would pass a limit.
  bool take(uint64_t bytes) {
    if (messages_.fetch_add(1) + 1 > max_messages_) {
      messages_.fetch_sub(1);
      return false;
    }
    if (bytes_.fetch_add(bytes) + bytes > max_bytes_) {
      bytes_.fetch_sub(bytes);
      messages_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void give(uint64_t bytes) {
    bytes_.fetch_sub(bytes);
    messages_.fetch_sub(1);
  }
  uint64_t bytes() const { return bytes_.load(); }

 private:
  const uint64_t max_bytes_, max_messages_;
  std::atomic<uint64_t> bytes_{0}, messages_{0};
};

// One charged message, refunded to both budgets when destroyed (its task ran or was dropped).
class InboundCharge {
 public:
  InboundCharge(std::shared_ptr<InboundBudget> connection, std::shared_ptr<InboundBudget> process, uint64_t bytes)
      : connection_(std::move(connection)), process_(std::move(process)), bytes_(bytes) {}
  ~InboundCharge() {
    connection_->give(bytes_);
    process_->give(bytes_);
  }
  InboundCharge(const InboundCharge&) = delete;
  InboundCharge& operator=(const InboundCharge&) = delete;

 private:
  std::shared_ptr<InboundBudget> connection_, process_;
  uint64_t bytes_;
};

// Both budgets of one connection.
struct InboundBudgets {
  std::shared_ptr<InboundBudget> connection;
  std::shared_ptr<InboundBudget> process;
};

}  // namespace parley::peer::detail
