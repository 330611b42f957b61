#pragma once
// One signalling WebSocket after the upgrade: reads frames into the shared scratch buffer,
// hands them to core, and writes its bounded queue in gathered writes.
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "signalling/frame_sink.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/transport_metrics.hpp"
#include "transport/ws_frame_parser.hpp"

namespace parley::transport {

class WsHub;
struct TlsStream;

class WsConnection final : public signalling::FrameSink, public std::enable_shared_from_this<WsConnection> {
public:
  WsConnection(boost::asio::ip::tcp::socket socket, WsHub& hub);
  // Over TLS: OpenSSL reads the socket; decrypted bytes go into the hub's scratch buffer too.
  WsConnection(std::unique_ptr<TlsStream> tls, WsHub& hub);
  ~WsConnection() override;

  // Starts the connection: writes the 101 response, feeds bytes already read past the request.
  // `address`: the client as client_address() keys it (abuse penalties).
  void start(std::string upgrade_response, std::string early_bytes, signalling::Identity identity, bool invalid_token,
             std::string address);

  void send(signalling::SharedFrame frame) override;
  void reply(signalling::SharedFrame frame) override;
  void send_presence(const signalling::SharedPresence& event) override;
  void close(signalling::CloseCode code, std::string_view reason) override;

  // Called once a second by the hub: idle timeout, stalled writes, slow close handshakes.
  void check_timeouts(std::int64_t now_ms);

private:
  struct Outgoing {
    signalling::SharedFrame data;
    WsOpcode opcode;
    bool raw = false;  // bytes written as they are (the 101 response), no frame header
    const signalling::PresenceEvent* presence = nullptr;  // kept alive by `data`
  };

  void wait_readable();
  void wait_socket(boost::asio::ip::tcp::socket::wait_type what);  // then on_readable()
  void on_readable();
  void write_tls(std::function<void(const boost::system::error_code&, std::size_t)> done);
  bool handle_bytes(std::string_view bytes);  // false once the connection is closing
  void handle_event(WsEvent&& ev);
  void enqueue(signalling::SharedFrame data, WsOpcode opcode, bool raw = false,
               const signalling::PresenceEvent* presence = nullptr);
  void index_queued_presence();
  void flush();
  friend class WsHub;  // runs the flush it scheduled
  void run_scheduled_flush();
  void on_written(const boost::system::error_code& ec);
  // `echo`: answering the client's close frame (counted apart from the server's own closes).
  void begin_close(std::uint16_t code, std::string_view reason, bool echo = false);
  // Drops the socket now; the core entry is removed on the next turn of the event loop, never
  // inside a broadcast that is iterating the router.
  void abort();
  void drop(DropReason reason);  // abort(), counted as the server's decision
  void finish();

  boost::asio::ip::tcp::socket socket_;  // plain connections only
  std::unique_ptr<TlsStream> tls_;       // TLS connections only
  WsHub& hub_;
  signalling::Connection* conn_ = nullptr;
  WsFrameParser parser_;
  std::vector<Outgoing> queue_;
  // What the queue bound counts: frames from others (relays). Replies are bounded by the
  // connection's own rate budget, presence by coalescing.
  std::size_t bounded_frames_ = 0;
  std::size_t bounded_bytes_ = 0;
  // Presence frames waiting in queue_; past a few, indexed by subject and kind (position + 1),
  // so that a newer event replaces the waiting one instead of growing the queue.
  std::size_t queued_presence_ = 0;
  std::unordered_map<std::string, std::array<std::uint32_t, signalling::kPresenceKinds>> presence_index_;
  std::vector<Outgoing> in_flight_;
  std::size_t read_while_closing_ = 0;  // bytes the peer sent after the close handshake began
  std::int64_t write_started_ms_ = 0;
  std::int64_t close_started_ms_ = 0;
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool closing_ = false;       // our close frame is queued; no more data frames
  bool shutdown_after_write_ = false;
  bool aborted_ = false;
  bool finished_ = false;
};

}  // namespace parley::transport
