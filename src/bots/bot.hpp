// What a bot is: a name, a few flags, and handlers called by the runtime for one peer at a
// time. A new bot is one class in one file plus one line in bot_registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/chat_message.hpp"

namespace parley::bots {

class PeerSession;
struct BotContext;

class Bot {
 public:
  virtual ~Bot() = default;

  // The built-in name (the anonymous node name, and the JWT variable's prefix in upper case).
  virtual std::string_view name() const = 0;
  // Announce support_attachment and receive files (EchoBot only, §9.1).
  virtual bool receives_files() const { return false; }
  // Accept richText without message (EchoBot, ChatBot); the others need `message`.
  virtual bool accepts_rich_text() const { return false; }

  // A text message the runtime has already ACKed (§9.1: ACK before replying).
  virtual void on_text(PeerSession& peer, const protocol::ChatMessage& message) = 0;
  // The peer left (offline, closed, failed for 30 s): free everything kept for it.
  virtual void on_peer_left(const std::string& /*peer_id*/) {}
  // A file fully received and verified (EchoBot). `slot` is its place among the process's
  // concurrent transfers: keep it while the bytes are held (PeerSession::send_file does).
  virtual void on_file(PeerSession& /*peer*/, const protocol::FileMeta& /*meta*/, std::string&& /*bytes*/,
                       std::shared_ptr<void> /*slot*/) {}
  // The process is shutting down: stop timers and workers.
  virtual void shutdown() {}
};

}  // namespace parley::bots
