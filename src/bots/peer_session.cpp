#include "bots/peer_session.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "bots/bot_host.hpp"
#include "bots/file_transfer.hpp"
#include "bots/safety_command.hpp"
#include "bots/util.hpp"

namespace parley::bots {
namespace {
constexpr size_t kMaxChatMessageBytes = 65536;  // §7.2: what Parley senders keep to
constexpr size_t kMaxPendingPatches = 64;
constexpr size_t kMaxAckWaiters = 64;
constexpr size_t kMaxIncomingFiles = 4;  // concurrent transfers per peer
}  // namespace

PeerSession::PeerSession(BotHost& host, std::string peer_id)
    : host_(host), peer_id_(std::move(peer_id)), failed_timer_(host.io()) {}

PeerSession::~PeerSession() { close(); }

const std::string& PeerSession::own_id() const { return host_.node_id(); }
boost::asio::io_context& PeerSession::io() { return host_.io(); }

bool PeerSession::open() {
  auto weak = weak_from_this();
  peer::PeerCallbacks cb;
  cb.on_local_description = [weak](const peer::SessionDescription& d) {
    if (auto self = weak.lock()) self->host_.send_description(self->peer_id_, d);
  };
  cb.on_local_candidate = [weak](const peer::IceCandidate& c) {
    if (auto self = weak.lock()) self->host_.send_candidate(self->peer_id_, c);
  };
  cb.on_state = [weak](peer::ConnectionState s) {
    if (auto self = weak.lock()) self->on_state(s);
  };
  cb.on_data_channel = [weak](std::shared_ptr<peer::DataChannel> ch) {
    if (auto self = weak.lock()) self->on_channel(std::move(ch));
  };
  pc_ = host_.factory().create(host_.peer_config(), std::move(cb));
  return pc_ != nullptr;
}

void PeerSession::close() {
  if (closed_) return;
  closed_ = true;
  failed_timer_.cancel();
  ack_waiters_.clear();
  receivers_.clear();
  early_meta_.clear();
  senders_.clear();
  chat_channels_.clear();
  other_channels_.clear();
  patch_channel_.reset();
  pending_patches_.clear();
  if (pc_) pc_->close();
  pc_.reset();
}

void PeerSession::on_remote_description(const std::string& type, const std::string& sdp) {
  if (pc_) pc_->set_remote_description({type, sdp});
}

void PeerSession::on_remote_candidate(const peer::IceCandidate& candidate) {
  if (pc_) pc_->add_remote_candidate(candidate);
}

void PeerSession::on_state(peer::ConnectionState state) {
  auto end = [this](const char* reason) {
    // Posted: the host destroys this session, which must not happen inside its own callback.
    boost::asio::post(host_.io(), [host = &host_, peer = peer_id_, reason] { host->end_session(peer, reason); });
  };
  switch (state) {
    case peer::ConnectionState::Connected:
      failed_timer_.cancel();
      break;
    case peer::ConnectionState::Failed:
      // Give the peer's ICE restart a chance, then give up (§6.6).
      failed_timer_.expires_after(host_.options().failed_grace);
      failed_timer_.async_wait([weak = weak_from_this(), end](boost::system::error_code ec) {
        auto self = weak.lock();
        if (self && !ec && self->pc_ && self->pc_->state() == peer::ConnectionState::Failed) end("failed for too long");
      });
      break;
    case peer::ConnectionState::Closed:
      end("connection closed");
      break;
    default:
      break;
  }
}

void PeerSession::on_channel(std::shared_ptr<peer::DataChannel> channel) {
  const std::string label = channel->label();
  auto weak = weak_from_this();
  if (label == "chat" || label == "ping") {
    auto* raw = channel.get();
    channel->on_message([weak, raw](peer::DataMessage&& m) {
      if (auto self = weak.lock()) self->on_chat_message(*raw, std::move(m));
    });
    if (label == "chat") {
      channel->on_open([weak, raw] {
        auto self = weak.lock();
        if (!self) return;
        // Senders use the most recently opened channel of a label (§6.1).
        auto& v = self->chat_channels_;
        auto it = std::find_if(v.begin(), v.end(), [raw](const auto& c) { return c.get() == raw; });
        if (it != v.end()) std::rotate(it, it + 1, v.end());
      });
      channel->on_closed([weak, raw] {
        if (auto self = weak.lock()) std::erase_if(self->chat_channels_, [raw](const auto& c) { return c.get() == raw; });
      });
      chat_channels_.push_back(std::move(channel));
    } else {
      channel->on_closed([weak, raw] {
        if (auto self = weak.lock()) std::erase_if(self->other_channels_, [raw](const auto& c) { return c.get() == raw; });
      });
      other_channels_.push_back(std::move(channel));
    }
    return;
  }
  if (label == "file" && host_.bot().receives_files()) {
    handle_file_channel(channel);
    return;
  }
  // Unknown labels, incoming msgpatch, and files for bots that take none: ignored (§7.1).
}

std::shared_ptr<peer::DataChannel> PeerSession::open_chat_channel() const {
  for (auto it = chat_channels_.rbegin(); it != chat_channels_.rend(); ++it)
    if ((*it)->state() == peer::ChannelState::Open) return *it;
  return nullptr;
}

bool PeerSession::send_chat(const protocol::ChatMessage& message) {
  auto channel = open_chat_channel();
  if (!channel) return false;
  auto text = protocol::encode_chat_message(message);
  if (text.size() > kMaxChatMessageBytes) {
    spdlog::warn("{}: message of {} bytes not sent (limit {})", host_.bot().name(), text.size(), kMaxChatMessageBytes);
    return false;
  }
  return channel->send_text(text);
}

std::string PeerSession::send_text(const std::string& text) {
  auto m = protocol::make_text(new_uuid(), own_id(), peer_id_, now_ms(), text);
  return send_chat(m) ? m.message_id : std::string();
}

void PeerSession::ack(const protocol::ChatMessage& message) {
  // From/to are who we know from signalling, never what the message claims (§7.2).
  send_chat(protocol::make_ack(new_uuid(), own_id(), peer_id_, now_ms(), message.message_id));
}

void PeerSession::on_chat_message(peer::DataChannel& channel, peer::DataMessage&& raw) {
  if (raw.binary) return;
  auto message = protocol::decode_chat_message(raw.data);
  if (!message) return;  // garbage: ignored without ACK
  switch (protocol::kind_of(*message)) {
    case protocol::ChatKind::ack: {
      auto it = ack_waiters_.find(*message->ack);
      if (it != ack_waiters_.end()) {
        auto cb = std::move(it->second);
        ack_waiters_.erase(it);
        cb();
      }
      return;  // never ACK an ACK
    }
    case protocol::ChatKind::ping: {
      // The pong goes back on the channel the ping came on.
      auto pong = protocol::make_pong(new_uuid(), own_id(), peer_id_, now_ms(), message->ping->seq);
      channel.send_text(protocol::encode_chat_message(pong));
      return;
    }
    case protocol::ChatKind::file:
      if (!host_.bot().receives_files()) return;  // ignored, no ACK (§9.1)
      ack(*message);
      handle_file_meta(*message);
      return;
    case protocol::ChatKind::text:
      if (!message->message && !host_.bot().accepts_rich_text()) return;
      ack(*message);  // ACK before replying (§9.1)
      // Answered here for every bot, so no bot counts it, echoes it or sends it to a model.
      if (message->message && is_safety_command(*message->message)) {
        if (pc_) send_text(safety_reply(*pc_));
        return;
      }
      host_.bot().on_text(*this, *message);
      return;
    default:
      return;  // pong, amend, delete, other: ignored without ACK (§7.4)
  }
}

bool PeerSession::send_patch(protocol::PatchKind kind, const std::string& message_id, const std::string& value) {
  if (!pc_) return false;
  auto order = protocol::encode_patch({kind, message_id, value});
  if (!order) return false;
  if (!patch_channel_) {
    patch_channel_ = pc_->create_data_channel("msgpatch");
    if (!patch_channel_) return false;
    auto weak = weak_from_this();
    patch_channel_->on_open([weak] {
      if (auto self = weak.lock()) self->flush_patches();
    });
    patch_channel_->on_closed([weak] {
      if (auto self = weak.lock()) self->patch_channel_.reset(), self->pending_patches_.clear();
    });
  }
  if (patch_channel_->state() == peer::ChannelState::Open && pending_patches_.empty())
    return patch_channel_->send_binary(*order);
  if (pending_patches_.size() >= kMaxPendingPatches) return false;
  pending_patches_.push_back(std::move(*order));
  return true;
}

void PeerSession::flush_patches() {
  for (auto& order : pending_patches_) patch_channel_->send_binary(order);
  pending_patches_.clear();
}

void PeerSession::on_ack(const std::string& id, std::function<void()> cb) {
  if (ack_waiters_.size() >= kMaxAckWaiters) ack_waiters_.erase(ack_waiters_.begin());
  ack_waiters_[id] = std::move(cb);
}

size_t PeerSession::chunk_size() {
  auto max = pc_ ? pc_->remote_max_message_size() : std::nullopt;
  return std::min<size_t>(max.value_or(16384), 65536);
}

void PeerSession::handle_file_channel(const std::shared_ptr<peer::DataChannel>& channel) {
  std::erase_if(receivers_, [](const auto& kv) { return kv.second->finished(); });
  if (receivers_.size() >= kMaxIncomingFiles) {
    channel->close();
    return;
  }
  // A refusal is a close (§7.6 rule 10): the sender sees the transfer fail and may retry.
  TransferSlot slot = host_.options().transfer_slots ? host_.options().transfer_slots->acquire() : nullptr;
  if (host_.options().transfer_slots && !slot) {
    spdlog::info("{}: every file transfer slot is taken; a file from {} refused", host_.bot().name(), peer_id_);
    channel->close();
    return;
  }
  auto weak = weak_from_this();
  auto receiver = std::make_shared<FileReceiver>(
      host_.io(), channel, host_.options().max_file_bytes, std::move(slot),
      [weak](const protocol::FileMeta& meta, std::string&& bytes, TransferSlot held) {
        if (auto self = weak.lock()) self->host_.bot().on_file(*self, meta, std::move(bytes), std::move(held));
      });
  auto* raw = channel.get();
  // The record is keyed by dcId once the channel opens and its id is certain (§7.6 rule 4).
  channel->on_open([weak, receiver, raw] {
    auto self = weak.lock();
    if (!self) return;
    auto dc_id = std::to_string(raw->id());
    self->receivers_[dc_id] = receiver;
    receiver->start();
    if (auto it = self->early_meta_.find(dc_id); it != self->early_meta_.end()) {
      receiver->set_meta(it->second);
      self->early_meta_.erase(it);
    }
  });
}

void PeerSession::handle_file_meta(const protocol::ChatMessage& message) {
  auto it = receivers_.find(message.file->dc_id);
  if (it != receivers_.end()) {
    it->second->set_meta(*message.file);
    return;
  }
  // Metadata before its channel opened here: kept for that channel (bounded).
  if (early_meta_.size() >= kMaxIncomingFiles) early_meta_.erase(early_meta_.begin());
  early_meta_[message.file->dc_id] = *message.file;
}

void PeerSession::send_file(protocol::FileMeta meta, std::string bytes, std::shared_ptr<void> slot) {
  std::erase_if(senders_, [](const auto& s) { return s->finished(); });
  auto sender = std::make_shared<FileSender>(*this, std::move(meta), std::move(bytes), std::move(slot));
  senders_.push_back(sender);
  sender->start();
}

}  // namespace parley::bots
