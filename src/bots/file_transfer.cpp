#include "bots/file_transfer.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "bots/peer_session.hpp"
#include "bots/util.hpp"

namespace parley::bots {
namespace {
constexpr auto kMetaTimeout = std::chrono::seconds(10);  // §7.6 rule 10
constexpr auto kAckTimeout = std::chrono::seconds(10);   // §7.6 rule 5
constexpr uint64_t kHigh = 1 << 20, kLow = 256 * 1024;   // back-pressure marks (§7.6 rule 6)
}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += hex[digest[i] >> 4], out += hex[digest[i] & 15];
  return out;
}

TransferSlot TransferSlots::acquire() {
  if (state_->used >= state_->max) return nullptr;
  ++state_->used;
  // The deleter runs where the last holder lets go: on the io thread, like everything here.
  return TransferSlot(static_cast<void*>(state_.get()), [state = state_](void*) { --state->used; });
}

FileReceiver::FileReceiver(boost::asio::io_context& io, std::shared_ptr<peer::DataChannel> channel, uint64_t max_bytes,
                           TransferSlot slot, Done done)
    : channel_(std::move(channel)),
      max_bytes_(max_bytes),
      slot_(std::move(slot)),
      done_(std::move(done)),
      meta_timer_(io) {}

void FileReceiver::start() {
  auto weak = weak_from_this();
  channel_->on_message([weak](peer::DataMessage&& m) {
    if (auto self = weak.lock(); self && m.binary) self->on_chunk(std::move(m.data));
  });
  channel_->on_closed([weak] {
    auto self = weak.lock();
    if (!self || self->finished_) return;
    // Closed by the sender: complete if every byte is here, else it failed (§7.6 rules 9-10).
    if (self->meta_ && self->data_.size() == self->meta_->size)
      self->try_complete();
    else
      self->fail("channel closed before the whole file arrived");
  });
  channel_->send_binary(protocol::encode_feedback_word(0));  // the receiver's early zero word
  if (!meta_) {
    meta_timer_.expires_after(kMetaTimeout);
    meta_timer_.async_wait([weak](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec && !self->meta_) self->fail("no metadata within 10 s");
    });
  }
}

void FileReceiver::set_meta(const protocol::FileMeta& meta) {
  if (meta_ || finished_) return;
  meta_timer_.cancel();
  if (meta.size > max_bytes_) {
    fail("file of " + std::to_string(meta.size) + " bytes is over the limit");  // refusal = close (§7.6)
    return;
  }
  meta_ = meta;
  if (data_.size() > meta.size) return fail("more bytes than announced");
  data_.reserve(static_cast<size_t>(meta.size));
  if (data_.size() == meta.size) try_complete();
}

void FileReceiver::on_chunk(std::string&& data) {
  if (finished_) return;
  const uint64_t limit = meta_ ? meta_->size : max_bytes_;
  if (data_.size() + data.size() > limit) return fail("more bytes than announced");
  data_ += data;
  channel_->send_binary(protocol::encode_feedback_word(static_cast<uint32_t>(data.size())));
  if (meta_ && data_.size() == meta_->size) try_complete();
}

void FileReceiver::try_complete() {
  if (finished_ || !meta_) return;
  if (meta_->sha256 && sha256_hex(data_) != *meta_->sha256) return fail("sha256 mismatch");
  finished_ = true;
  channel_->close();  // the receiver may close once complete (§7.6 rule 10)
  auto done = std::move(done_);
  if (done) done(*meta_, std::move(data_), std::move(slot_));
}

void FileReceiver::fail(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  spdlog::info("file transfer {} failed: {}", channel_->id(), why);
  data_.clear();
  data_.shrink_to_fit();
  slot_.reset();
  channel_->close();
}

FileSender::FileSender(PeerSession& session, protocol::FileMeta meta, std::string bytes, TransferSlot slot)
    : session_(session.weak_from_this()),
      session_ref_(session),
      meta_(std::move(meta)),
      bytes_(std::move(bytes)),
      slot_(std::move(slot)),
      ack_timer_(session.io()) {}

void FileSender::start() {
  auto* pc = session_ref_.connection();
  if (!pc) return finish(false, "no connection");
  chunk_ = session_ref_.chunk_size();
  channel_ = pc->create_data_channel("file");
  if (!channel_) return finish(false, "cannot create a file channel");
  auto weak = weak_from_this();
  // The feedback reader is installed before the channel opens, so no word is lost (§7.6 rule 2).
  channel_->on_message([weak](peer::DataMessage&& m) {
    auto self = weak.lock();
    if (!self || !m.binary) return;
    std::vector<uint32_t> words;
    self->feedback_.feed(m.data, words);
    self->maybe_close();
  });
  channel_->on_open([weak] {
    if (auto self = weak.lock()) self->on_open();
  });
  channel_->on_buffered_amount_low([weak] {
    if (auto self = weak.lock()) self->pump();
  });
  channel_->on_closed([weak] {
    auto self = weak.lock();
    if (!self || self->finished_) return;
    bool complete = self->acked_ && self->sent_ == self->bytes_.size() && self->feedback_.word_count() > 0 &&
                    self->feedback_.total() >= self->meta_.size;
    self->finish(complete, complete ? "" : "closed by the receiver before the end");
  });
  channel_->set_buffered_amount_low_threshold(kLow);
}

void FileSender::on_open() {
  auto session = session_.lock();
  if (!session || finished_) return;
  meta_.dc_id = std::to_string(channel_->id());
  protocol::ChatMessage m{new_uuid(), session->own_id(), session->peer_id(), now_ms()};
  m.file = meta_;
  auto weak = weak_from_this();
  session->on_ack(m.message_id, [weak] {
    auto self = weak.lock();
    if (!self || self->finished_ || self->acked_) return;
    self->acked_ = true;
    self->ack_timer_.cancel();
    self->pump();  // no data before the metadata ACK (§7.6 rule 5)
  });
  if (!session->send_chat(m)) return finish(false, "cannot send the metadata");
  ack_timer_.expires_after(kAckTimeout);
  ack_timer_.async_wait([weak](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->acked_) self->finish(false, "metadata not ACKed within 10 s");
  });
}

void FileSender::pump() {
  if (finished_ || !acked_) return;
  while (sent_ < bytes_.size()) {
    if (channel_->buffered_amount() > kHigh) return;  // resumes on buffered-amount-low
    size_t n = std::min<uint64_t>(chunk_, bytes_.size() - sent_);
    if (!channel_->send_binary(std::string_view(bytes_).substr(static_cast<size_t>(sent_), n)))
      return finish(false, "send failed");
    sent_ += n;
  }
  maybe_close();
}

void FileSender::maybe_close() {
  // §7.6 rule 8: ACKed, all queued, at least one word, and the words cover the size.
  if (finished_ || !acked_ || sent_ < bytes_.size() || feedback_.word_count() == 0 || feedback_.total() < meta_.size)
    return;
  finish(true, "");
}

void FileSender::finish(bool ok, const std::string& why) {
  if (finished_) return;
  finished_ = true;
  ack_timer_.cancel();
  if (!ok) spdlog::info("file send '{}' failed: {}", meta_.name.substr(0, 64), why);
  if (channel_) channel_->close();
  bytes_.clear();
  bytes_.shrink_to_fit();
  slot_.reset();
}

}  // namespace parley::bots
