// One remote peer of one bot: its PeerConnection, its channels by label, ACK routing and the
// helpers bots use to reply (text, msgpatch orders, files). Lives on the runtime's io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "peer/peer_connection.hpp"
#include "protocol/chat_message.hpp"
#include "protocol/msgpatch.hpp"

namespace parley::bots {

class BotHost;
class FileReceiver;
class FileSender;

class PeerSession : public std::enable_shared_from_this<PeerSession> {
 public:
  PeerSession(BotHost& host, std::string peer_id);
  ~PeerSession();
  // Creates the PeerConnection; false if libwebrtc refused the configuration.
  bool open();
  void close();  // idempotent; the host erases the session afterwards

  const std::string& peer_id() const { return peer_id_; }
  const std::string& own_id() const;
  BotHost& host() { return host_; }
  boost::asio::io_context& io();
  peer::PeerConnection* connection() { return pc_.get(); }
  bool closed() const { return closed_; }

  // Signalling in.
  void on_remote_description(const std::string& type, const std::string& sdp);
  void on_remote_candidate(const peer::IceCandidate& candidate);

  // Replies. send_text returns the new message id, or "" when no chat channel is open.
  std::string send_text(const std::string& text);
  bool send_chat(const protocol::ChatMessage& message);
  // Patch orders on this peer's one msgpatch channel, created on first use (§7.7); orders
  // queue (bounded) until it opens. False when the order cannot be sent or queued.
  bool send_patch(protocol::PatchKind kind, const std::string& message_id, const std::string& value);
  // Runs `cb` when the peer ACKs message `id` (or never; waiters are bounded and expire).
  void on_ack(const std::string& id, std::function<void()> cb);
  // Sends a file as a new transfer (§7.6, sender side), holding `slot` until it ends.
  void send_file(protocol::FileMeta meta, std::string bytes, std::shared_ptr<void> slot = nullptr);
  // Largest binary message the peer accepts, capped at 64 KiB (§7.6 rule 6).
  size_t chunk_size();

 private:
  void on_state(peer::ConnectionState state);
  void on_channel(std::shared_ptr<peer::DataChannel> channel);
  void on_chat_message(peer::DataChannel& channel, peer::DataMessage&& message);
  void handle_file_channel(const std::shared_ptr<peer::DataChannel>& channel);
  void handle_file_meta(const protocol::ChatMessage& message);
  std::shared_ptr<peer::DataChannel> open_chat_channel() const;
  void ack(const protocol::ChatMessage& message);
  void flush_patches();

  BotHost& host_;
  std::string peer_id_;
  std::shared_ptr<peer::PeerConnection> pc_;
  bool closed_ = false;
  std::vector<std::shared_ptr<peer::DataChannel>> chat_channels_;  // open, oldest first
  std::vector<std::shared_ptr<peer::DataChannel>> other_channels_;  // ping and ignored labels
  std::shared_ptr<peer::DataChannel> patch_channel_;
  std::vector<std::string> pending_patches_;
  std::map<std::string, std::function<void()>> ack_waiters_;
  std::unordered_map<std::string, std::shared_ptr<FileReceiver>> receivers_;  // by dcId
  std::map<std::string, protocol::FileMeta> early_meta_;  // metadata that beat its channel, by dcId
  std::vector<std::shared_ptr<FileSender>> senders_;
  boost::asio::steady_timer failed_timer_;
};

}  // namespace parley::bots
