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

class FileReceiver : public std::enable_shared_from_this<FileReceiver> {
 public:
  using Done = std::function<void(const protocol::FileMeta&, std::string&&)>;
  FileReceiver(boost::asio::io_context& io, std::shared_ptr<peer::DataChannel> channel, uint64_t max_bytes, Done done);
  void start();  // the channel is open: send the early zero word, arm the metadata timeout
  void set_meta(const protocol::FileMeta& meta);
  bool finished() const { return finished_; }

 private:
  void on_chunk(std::string&& data);
  void try_complete();
  void fail(const std::string& why);

  std::shared_ptr<peer::DataChannel> channel_;
  uint64_t max_bytes_;
  Done done_;
  std::optional<protocol::FileMeta> meta_;
  std::string data_;
  bool finished_ = false;
  boost::asio::steady_timer meta_timer_;
};

class FileSender : public std::enable_shared_from_this<FileSender> {
 public:
  FileSender(PeerSession& session, protocol::FileMeta meta, std::string bytes);
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
  std::shared_ptr<peer::DataChannel> channel_;
  protocol::FeedbackReader feedback_;
  size_t chunk_ = 16384;
  uint64_t sent_ = 0;
  bool acked_ = false;
  bool finished_ = false;
  boost::asio::steady_timer ack_timer_;
};

}  // namespace parley::bots
