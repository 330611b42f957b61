#pragma once
// libwebrtc's packet sockets with a chosen UDP receive buffer. Only engine.cpp includes this.
#include <memory>

#include "api/packet_socket_factory.h"
#include "rtc_base/socket_factory.h"

namespace parley::peer::detail {

// `receive_buffer` is asked of the kernel with SO_RCVBUF, which caps it at net.core.rmem_max.
std::unique_ptr<rtc::PacketSocketFactory> create_udp_socket_factory(rtc::SocketFactory* sockets, int receive_buffer);

}  // namespace parley::peer::detail
