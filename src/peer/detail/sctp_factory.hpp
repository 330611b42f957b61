#pragma once
// libwebrtc's SCTP transport (dcsctp) with our own receive window. Only engine.cpp includes this.
#include <cstddef>
#include <memory>

#include "api/transport/sctp_transport_factory_interface.h"
#include "rtc_base/thread.h"

namespace parley::peer::detail {

std::unique_ptr<webrtc::SctpTransportFactoryInterface> create_sctp_factory(rtc::Thread* network_thread,
                                                                           std::size_t receive_window);

}  // namespace parley::peer::detail
