// Internal: libwebrtc's threads and PeerConnectionFactory, shared by every connection of a
// process. Only src/peer's own .cpp files include this (and through it libwebrtc's headers).
// It knows connections only through the public PeerConnection interface, so nothing here
// depends on their implementation.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "api/peer_connection_interface.h"
#include "api/scoped_refptr.h"
#include "peer/factory.hpp"
#include "peer/detail/inbound_budget.hpp"
#include "rtc_base/thread.h"

namespace parley::peer::detail {

class Engine : public std::enable_shared_from_this<Engine> {
 public:
  explicit Engine(FactoryOptions options);
  // Stops the threads. Every proxy must be released by then (shutdown() does it).
  ~Engine();

  // Closes all live connections; called by ~Factory.
  void shutdown();

  void post(std::function<void()> task) const { options_.executor(std::move(task)); }
  rtc::Thread* signaling() const { return signaling_.get(); }
  webrtc::PeerConnectionFactoryInterface* factory() const { return factory_.get(); }
  const FactoryOptions& options() const { return options_; }
  // A fresh per-connection budget, with the process-wide one.
  InboundBudgets new_inbound_budgets() const;

  // Remembers a connection so that shutdown() can close it if it is still alive then.
  void track(const std::shared_ptr<PeerConnection>& pc);
  size_t live_connections() const;

 private:
  FactoryOptions options_;
  std::unique_ptr<rtc::Thread> network_;
  std::unique_ptr<rtc::Thread> worker_;
  std::unique_ptr<rtc::Thread> signaling_;
  std::unique_ptr<webrtc::TaskQueueFactory> task_queue_factory_;  // the audio device's own ticker
  std::shared_ptr<void> task_pool_;  // libwebrtc's per-connection queues, on a few shared threads
  rtc::scoped_refptr<webrtc::AudioDeviceModule> adm_;
  rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> factory_;
  std::shared_ptr<InboundBudget> inbound_total_;
  mutable std::mutex mutex_;
  std::vector<std::weak_ptr<PeerConnection>> connections_;
};

}  // namespace parley::peer::detail
