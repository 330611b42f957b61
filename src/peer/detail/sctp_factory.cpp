#include "peer/detail/sctp_factory.hpp"

#include "media/sctp/dcsctp_transport.h"
#include "net/dcsctp/public/dcsctp_socket_factory.h"
#include "system_wrappers/include/clock.h"

namespace parley::peer::detail {
namespace {

// DcSctpTransport fills in the options (ports, message size) and asks this factory for the socket:
// the one place where the receive window can be changed.
class WindowedSocketFactory final : public dcsctp::DcSctpSocketFactory {
public:
  explicit WindowedSocketFactory(std::size_t receive_window) : receive_window_(receive_window) {}
  std::unique_ptr<dcsctp::DcSctpSocketInterface> Create(absl::string_view log_prefix,
                                                        dcsctp::DcSctpSocketCallbacks& callbacks,
                                                        std::unique_ptr<dcsctp::PacketObserver> packet_observer,
                                                        const dcsctp::DcSctpOptions& options) override {
    auto windowed = options;
    windowed.max_receiver_window_buffer_size = receive_window_;
    return dcsctp::DcSctpSocketFactory::Create(log_prefix, callbacks, std::move(packet_observer), windowed);
  }

private:
  std::size_t receive_window_;
};

class WindowedTransportFactory final : public webrtc::SctpTransportFactoryInterface {
public:
  WindowedTransportFactory(rtc::Thread* network_thread, std::size_t receive_window)
      : network_thread_(network_thread), receive_window_(receive_window) {}
  std::unique_ptr<cricket::SctpTransportInternal> CreateSctpTransport(rtc::PacketTransportInternal* transport) override {
    return std::make_unique<webrtc::DcSctpTransport>(network_thread_, transport, webrtc::Clock::GetRealTimeClock(),
                                                     std::make_unique<WindowedSocketFactory>(receive_window_));
  }

private:
  rtc::Thread* network_thread_;
  std::size_t receive_window_;
};

}  // namespace

std::unique_ptr<webrtc::SctpTransportFactoryInterface> create_sctp_factory(rtc::Thread* network_thread,
                                                                           std::size_t receive_window) {
  return std::make_unique<WindowedTransportFactory>(network_thread, receive_window);
}

}  // namespace parley::peer::detail
