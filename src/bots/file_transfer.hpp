// File transfer over `file` data channels (PROTOCOL.md §7.6): FileReceiver takes one incoming
// transfer (feedback words, size checks, sha256), FileSender sends one (metadata, wait for
// ACK, paced chunks, close once the feedback covers the size).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "peer/data_channel.hpp"
#include "protocol/chat_message.hpp"
#include "protocol/file_feedback.hpp"

namespace parley::bots {

class PeerSession;

// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view bytes);

// A held place among the process's concurrent file transfers; freed when the last copy goes.
using TransferSlot = std::shared_ptr<void>;

// The process-wide limit on files held in memory at once (EchoBot: from the first byte
// received to the last byte echoed), so memory stays bounded whatever the number of peers.
class TransferSlots {
 public:
  explicit TransferSlots(int max) : state_(std::make_shared<State>(max)) {}
  // nullptr when every slot is taken.
  TransferSlot acquire();
  int in_use() const { return state_->used; }

 private:
  struct State {
    explicit State(int m) : max(m) {}
    const int max;
    int used = 0;  // on the runtime's io thread only
  };
  std::shared_ptr<State> state_;
};

class FileReceiver : public std::enable_shared_from_this<FileReceiver> {
 public:
  using Done = std::function<void(const protocol::FileMeta&, std::string&&, TransferSlot)>;
  FileReceiver(boost::asio::io_context& io, std::shared_ptr<peer::DataChannel> channel, uint64_t max_bytes,
               TransferSlot slot, Done done);
  void start();  // the channel is open: send the early zero word, arm the metadata timeout
  void set_meta(const protocol::FileMeta& meta);
  bool finished() const { return finished_; }

 private:
  void on_chunk(std::string&& data);
  void try_complete();
  void fail(const std::string& why);

  std::shared_ptr<peer::DataChannel> channel_;
  uint64_t max_bytes_;
  TransferSlot slot_;
  Done done_;
  std::optional<protocol::FileMeta> meta_;
  std::string data_;
  bool finished_ = false;
  boost::asio::steady_timer meta_timer_;
};

class FileSender : public std::enable_shared_from_this<FileSender> {
 public:
  FileSender(PeerSession& session, protocol::FileMeta meta, std::string bytes, TransferSlot slot);
  void start();
  bool finished() const { return finished_; }

 private:
  void on_open();
  void pump();
  void maybe_close();
  void finish(bool ok, const std::string& why);

  std::weak_ptr<PeerSession> session_;
  PeerSession& session_ref_;
  protocol::FileMeta meta_;
  std::string bytes_;
  TransferSlot slot_;
  std::shared_ptr<peer::DataChannel> channel_;
  protocol::FeedbackReader feedback_;
  size_t chunk_ = 16384;
  uint64_t sent_ = 0;
  bool acked_ = false;
  bool finished_ = false;
  boost::asio::steady_timer ack_timer_;
};

}  // namespace parley::bots
