#include "transport/ws_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "transport/tls_stream.hpp"
#include "transport/ws_hub.hpp"

namespace parley::transport {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr std::size_t kReadsPerWakeup = 4;  // fairness between busy connections
constexpr std::size_t kKeptQueueCapacity = 16;
// Presence frames a queue holds before it starts coalescing them: below this, appending is
// cheaper than indexing, and a queue this short is flushed within the turn anyway.
constexpr std::size_t kCoalescePresenceAfter = 32;
}

WsConnection::WsConnection(asio::ip::tcp::socket socket, WsHub& hub)
    : socket_(std::move(socket)), hub_(hub), parser_(hub.service().limits().max_text_bytes, hub.limits().max_message_bytes) {}

WsConnection::WsConnection(std::unique_ptr<TlsStream> tls, WsHub& hub)
    : socket_(hub.io()),
      tls_(std::move(tls)),
      hub_(hub),
      parser_(hub.service().limits().max_text_bytes, hub.limits().max_message_bytes) {}

WsConnection::~WsConnection() = default;

void WsConnection::start(std::string upgrade_response, std::string early_bytes, signalling::Identity identity,
                         bool invalid_token, std::string address) {
  hub_.adopt(shared_from_this());
  error_code ec;
  if (tls_) {
    tls_->stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  } else {
    socket_.non_blocking(true, ec);
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  }
  conn_ = &hub_.service().open(*this, std::move(identity), std::move(address));
  enqueue(signalling::make_frame(std::move(upgrade_response)), WsOpcode::text, /*raw=*/true);
  if (invalid_token) {
    spdlog::warn("connection {}: invalid bearer token ignored", conn_->node_id);
    hub_.service().send_error(*conn_, "invalid_token", "bearer token is invalid, expired or revoked");
  }
  if (!early_bytes.empty() && !handle_bytes(early_bytes)) return;
  wait_readable();
}

void WsConnection::wait_readable() {
  // Records OpenSSL read ahead are not on the socket any more: no readiness will announce them.
  if (tls_ && tls_->stream.has_pending()) return asio::post(hub_.io(), [self = shared_from_this()] { self->on_readable(); });
  wait_socket(asio::ip::tcp::socket::wait_read);
}

void WsConnection::wait_socket(asio::ip::tcp::socket::wait_type what) {
  auto& socket = tls_ ? tls_->stream.socket() : socket_;
  socket.async_wait(what, [self = shared_from_this()](const error_code& ec) {
    if (ec) return self->abort();
    self->on_readable();
  });
}

void WsConnection::on_readable() {
  // Everything readable is handled before the frames' relays are flushed (once per turn), over
  // TLS too: every whole record already received is decrypted, never waiting for one that is not.
  auto& buf = hub_.scratch();
  for (std::size_t i = 0; i < kReadsPerWakeup && !aborted_; ++i) {
    error_code ec;
    std::size_t n = 0;
    if (tls_) {
      const auto want = tls_->stream.read_now(buf.data(), buf.size(), n, ec);
      if (n == 0 && !ec) {
        if (want == TlsSocket::Want::write) return wait_socket(asio::ip::tcp::socket::wait_write);  // a key update's answer
        break;
      }
    } else {
      n = socket_.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    }
    if (ec) return abort();  // EOF, close_notify or reset
    if (!handle_bytes(std::string_view(buf.data(), n))) return;
    if (n < buf.size()) break;
  }
  if (!aborted_) wait_readable();
}

bool WsConnection::handle_bytes(std::string_view bytes) {
  if (closing_) {
    // Once a close frame is out, only the peer's close frame matters. A peer that keeps sending
    // past what one message in flight explains is ignoring it (a flooder closed for abuse kept
    // the loop reading and unmasking gigabytes until the close timeout): end it now.
    read_while_closing_ += bytes.size();
    if (read_while_closing_ > hub_.limits().max_message_bytes) {
      drop(DropReason::close_ignored);
      return false;
    }
  }
  const bool ok = parser_.feed(bytes, [this](WsEvent&& ev) {
    if (!closing_ && !aborted_) handle_event(std::move(ev));
  });
  parser_.shrink();
  if (!ok) return false;
  return !aborted_;
}

void WsConnection::handle_event(WsEvent&& ev) {
  auto& service = hub_.service();
  switch (ev.kind) {
    case WsEvent::Kind::text: service.on_text(*conn_, ev.payload); break;
    case WsEvent::Kind::binary: service.on_binary(*conn_); break;
    case WsEvent::Kind::too_large: service.on_too_large(*conn_); break;
    // Control frames spend the rate budget like text frames: a ping flood is rate limited, then
    // closed for abuse (1008), and its pongs are bounded like every other reply.
    case WsEvent::Kind::ping:
      service.metrics().frames_in.inc(signalling::FrameIn::ping);
      if (service.on_control_frame(*conn_)) {
        hub_.metrics().frames_out.inc(FrameOut::pong);
        enqueue(signalling::make_frame(std::move(ev.payload)), WsOpcode::pong);
      }
      break;
    case WsEvent::Kind::pong:
      service.metrics().frames_in.inc(signalling::FrameIn::pong);
      service.on_control_frame(*conn_);
      break;
    case WsEvent::Kind::close:
      // Echo the peer's code (RFC 6455 §5.5.1; the parser let only valid ones through), then end
      // the TCP connection once it is written.
      begin_close(ev.close_code == 1005 ? 1000 : ev.close_code, "", /*echo=*/true);
      break;
    case WsEvent::Kind::protocol_error:
      begin_close(ev.close_code, ev.close_code == 1009   ? "message too big"
                                 : ev.close_code == 1007 ? "invalid UTF-8"
                                                         : "protocol error");
      break;
  }
}

void WsConnection::send(signalling::SharedFrame frame) {
  if (closing_ || aborted_) return;
  const auto& limits = hub_.limits();
  if (bounded_frames_ >= limits.max_queue_frames || bounded_bytes_ + frame->size() > limits.max_queue_bytes) {
    // The peer is not reading. Closing it keeps its queue from delaying or bloating anyone.
    spdlog::info("connection {}: send queue overflow, closing", conn_ ? conn_->node_id : "?");
    return drop(DropReason::send_queue_overflow);
  }
  ++bounded_frames_;
  bounded_bytes_ += frame->size();
  hub_.metrics().frames_out.inc(FrameOut::relay);
  enqueue(std::move(frame), WsOpcode::text);
}

void WsConnection::reply(signalling::SharedFrame frame) {
  if (closing_ || aborted_) return;
  hub_.metrics().frames_out.inc(FrameOut::reply);
  enqueue(std::move(frame), WsOpcode::text);
}

void WsConnection::send_presence(const signalling::SharedPresence& event) {
  if (closing_ || aborted_) return;
  if (queued_presence_ >= kCoalescePresenceAfter) {
    if (presence_index_.empty()) index_queued_presence();
    auto& slot = presence_index_[event->subject][static_cast<std::size_t>(event->kind)];
    if (slot != 0) {
      // The viewer has not been sent the older state yet: it gets the newer one in its place.
      queue_[slot - 1].data = signalling::frame_of(event);
      queue_[slot - 1].presence = event.get();
      hub_.metrics().presence_coalesced.inc();
      return;
    }
    slot = static_cast<std::uint32_t>(queue_.size() + 1);
  }
  ++queued_presence_;
  hub_.metrics().frames_out.inc(FrameOut::presence);
  enqueue(signalling::frame_of(event), WsOpcode::text, false, event.get());
}

void WsConnection::index_queued_presence() {
  for (std::size_t i = 0; i < queue_.size(); ++i)
    if (const auto* p = queue_[i].presence)
      presence_index_[p->subject][static_cast<std::size_t>(p->kind)] = static_cast<std::uint32_t>(i + 1);
}

void WsConnection::close(signalling::CloseCode code, std::string_view reason) {
  begin_close(static_cast<std::uint16_t>(code), reason);
}

void WsConnection::begin_close(std::uint16_t code, std::string_view reason, bool echo) {
  if (closing_ || aborted_) return;
  auto& m = hub_.metrics();
  (echo ? m.closes_by_client : m.closes_by_server).inc(close_label(code));
  enqueue(signalling::make_frame(close_payload(code, reason)), WsOpcode::close);
  closing_ = true;
  shutdown_after_write_ = true;
  close_started_ms_ = hub_.clock().steady_ms();
}

void WsConnection::enqueue(signalling::SharedFrame data, WsOpcode opcode, bool raw, const signalling::PresenceEvent* presence) {
  queue_.push_back({std::move(data), opcode, raw, presence});
  // Write once per turn of the event loop, not once per frame: a registration broadcasts one
  // `online` frame to every client, and several registrations read in one turn share one write.
  if (!writing_ && !flush_scheduled_) {
    flush_scheduled_ = true;
    hub_.schedule_flush(shared_from_this());
  }
}

void WsConnection::run_scheduled_flush() {
  flush_scheduled_ = false;
  if (!writing_) flush();
}

void WsConnection::flush() {
  if (queue_.empty() || aborted_) return;
  in_flight_.swap(queue_);
  queue_.clear();
  bounded_frames_ = bounded_bytes_ = queued_presence_ = 0;
  presence_index_.clear();
  // Headers live in one vector for the duration of the write; two buffers per frame.
  auto headers = std::make_shared<std::vector<unsigned char>>(in_flight_.size() * 10);
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size() * 2);
  for (std::size_t i = 0; i < in_flight_.size(); ++i) {
    const auto& item = in_flight_[i];
    if (!item.raw) {
      unsigned char* h = headers->data() + i * 10;
      buffers.emplace_back(h, write_ws_header(h, item.opcode, item.data->size()));
    }
    buffers.emplace_back(item.data->data(), item.data->size());
  }
  hub_.note_flushed(in_flight_.size());
  writing_ = true;
  write_started_ms_ = hub_.clock().steady_ms();
  auto done = [self = shared_from_this(), headers](const error_code& ec, std::size_t) { self->on_written(ec); };
  if (tls_) {
    tls_->stream.start_write(buffers, SIZE_MAX);
    write_tls(std::move(done));
  } else {
    asio::async_write(socket_, buffers, std::move(done));
  }
}

void WsConnection::write_tls(std::function<void(const error_code&, std::size_t)> done) {
  error_code ec;
  const auto want = tls_->stream.write_step(ec);
  if (ec || want == TlsSocket::Want::nothing) {
    // Completes on a later turn, as an Asio write does: never inside the flush that started it.
    return asio::post(hub_.io(), [done = std::move(done), ec] { done(ec, 0); });
  }
  const auto what = want == TlsSocket::Want::read ? asio::ip::tcp::socket::wait_read : asio::ip::tcp::socket::wait_write;
  tls_->stream.socket().async_wait(what, [self = shared_from_this(), done = std::move(done)](const error_code& ec) mutable {
    if (ec) return done(ec, 0);
    self->write_tls(std::move(done));
  });
}

void WsConnection::on_written(const error_code& ec) {
  writing_ = false;
  in_flight_.clear();
  // Give back what a burst grew, so an idle connection stays small (the sweep trims the heap).
  if (in_flight_.capacity() > kKeptQueueCapacity) std::vector<Outgoing>().swap(in_flight_);
  if (ec) return abort();
  if (!queue_.empty()) return flush();
  if (queue_.capacity() > kKeptQueueCapacity) std::vector<Outgoing>().swap(queue_);
  if (presence_index_.bucket_count() > kKeptQueueCapacity) decltype(presence_index_)().swap(presence_index_);
  if (shutdown_after_write_) {
    // Our close frame is out: stop sending (over TLS: close_notify first) and let the peer
    // close; the sweep ends it otherwise.
    error_code ignored;
    if (tls_) tls_->stream.send_close_notify();
    (tls_ ? tls_->stream.socket() : socket_).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    shutdown_after_write_ = false;
  }
}

void WsConnection::check_timeouts(std::int64_t now_ms) {
  if (aborted_) return;
  const auto& limits = hub_.limits();
  if (writing_ && now_ms - write_started_ms_ > limits.write_timeout_ms) {
    spdlog::info("connection {}: write stalled for {} ms, closing", conn_->node_id, limits.write_timeout_ms);
    return drop(DropReason::write_stalled);
  }
  if (closing_ && now_ms - close_started_ms_ > limits.close_timeout_ms) return drop(DropReason::close_timeout);
  if (!closing_ && hub_.service().idle_expired(*conn_)) close(signalling::CloseCode::normal, "idle timeout");
}

void WsConnection::drop(DropReason reason) {
  if (aborted_) return;
  hub_.metrics().dropped.inc(reason);
  abort();
}

void WsConnection::abort() {
  if (aborted_) return;
  aborted_ = true;
  closing_ = true;
  error_code ignored;
  if (tls_)
    tls_->stream.close();
  else
    socket_.close(ignored);
  asio::post(hub_.io(), [self = shared_from_this()] { self->finish(); });
}

void WsConnection::finish() {
  if (finished_) return;
  finished_ = true;
  if (conn_) hub_.service().close(*conn_);
  conn_ = nullptr;
  hub_.forget(this);
}

}  // namespace parley::transport
