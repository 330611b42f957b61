// Internal: a TaskQueueFactory whose queues share a few threads. libwebrtc creates task queues
// per connection (rtp_send_controller, TaskQueuePacedSender, AudioEncoder); the default factory
// gives each its own thread, i.e. two or more threads per peer. Here each queue is a serial
// strand over one small pool, so threads no longer grow with peers.
#pragma once

#include <memory>

#include "api/task_queue/task_queue_factory.h"

namespace parley::peer::detail {

// `keep_alive` receives a reference to the pool's threads, to be released only after every
// queue is gone (the factory itself is owned by libwebrtc).
std::unique_ptr<webrtc::TaskQueueFactory> create_pooled_task_queue_factory(int threads,
                                                                          std::shared_ptr<void>* keep_alive);

}  // namespace parley::peer::detail
