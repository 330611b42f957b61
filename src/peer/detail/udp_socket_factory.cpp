#include "peer/detail/udp_socket_factory.hpp"

#include "p2p/base/basic_packet_socket_factory.h"
#include "rtc_base/async_packet_socket.h"

namespace parley::peer::detail {
namespace {

class BufferedUdpSocketFactory final : public rtc::BasicPacketSocketFactory {
public:
  BufferedUdpSocketFactory(rtc::SocketFactory* sockets, int receive_buffer)
      : rtc::BasicPacketSocketFactory(sockets), receive_buffer_(receive_buffer) {}

  rtc::AsyncPacketSocket* CreateUdpSocket(const rtc::SocketAddress& address, uint16_t min_port,
                                          uint16_t max_port) override {
    auto* socket = rtc::BasicPacketSocketFactory::CreateUdpSocket(address, min_port, max_port);
    if (socket) socket->SetOption(rtc::Socket::OPT_RCVBUF, receive_buffer_);
    return socket;
  }

private:
  int receive_buffer_;
};

}  // namespace

std::unique_ptr<rtc::PacketSocketFactory> create_udp_socket_factory(rtc::SocketFactory* sockets, int receive_buffer) {
  return std::make_unique<BufferedUdpSocketFactory>(sockets, receive_buffer);
}

}  // namespace parley::peer::detail
