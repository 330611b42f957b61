#include "peer/detail/engine.hpp"

#include <stdexcept>

#include "api/audio_codecs/opus_audio_decoder_factory.h"
#include "api/audio_codecs/opus_audio_encoder_factory.h"
#include "api/call/call_factory_interface.h"
#include "api/peer_connection_interface.h"
#include "api/task_queue/default_task_queue_factory.h"
#include "api/transport/field_trial_based_config.h"
#include "media/engine/webrtc_media_engine.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "modules/audio_device/include/test_audio_device.h"
#include "rtc_base/logging.h"
#include "rtc_base/ssl_adapter.h"
#include "peer/detail/sctp_factory.hpp"
#include "peer/detail/task_pool.hpp"
#include "peer/detail/udp_socket_factory.hpp"

namespace parley::peer::detail {
namespace {

// The audio device records nothing: bot audio enters through each track's own source. An
// empty capture buffer makes TestAudioDeviceModule skip the recording callback.
class SilentCapturer : public webrtc::TestAudioDeviceModule::Capturer {
 public:
  int SamplingFrequency() const override { return 48000; }
  int NumChannels() const override { return 2; }
  bool Capture(rtc::BufferT<int16_t>* buffer) override {
    buffer->SetSize(0);
    return true;
  }
};

}  // namespace

Engine::Engine(FactoryOptions options)
    : options_(std::move(options)),
      inbound_total_(std::make_shared<InboundBudget>(options_.max_inbound_bytes_total, options_.max_inbound_messages_total)) {
  // Debug counters flood the log otherwise.
  rtc::LogMessage::LogToDebug(options_.verbose_log ? rtc::LS_INFO : rtc::LS_ERROR);
  rtc::LogMessage::LogTimestamps(false);
  rtc::LogMessage::LogThreads(false);
  rtc::InitializeSSL();

  network_ = rtc::Thread::CreateWithSocketServer();
  network_->SetName("pc-network", nullptr);
  network_->Start();
  worker_ = rtc::Thread::Create();
  worker_->SetName("pc-worker", nullptr);
  worker_->Start();
  signaling_ = rtc::Thread::Create();
  signaling_->SetName("pc-signaling", nullptr);
  signaling_->Start();

  task_queue_factory_ = webrtc::CreateDefaultTaskQueueFactory();
  // The default device module never pulls playout (remote audio would never decode); this
  // one ticks every 10 ms, renders into nothing and records nothing.
  worker_->BlockingCall([this] {
    adm_ = webrtc::TestAudioDeviceModule::Create(task_queue_factory_.get(), std::make_unique<SilentCapturer>(),
                                                 webrtc::TestAudioDeviceModule::CreateDiscardRenderer(48000, 2));
  });

  // Assembled by hand (what CreatePeerConnectionFactory does) to choose the task queues:
  // libwebrtc's per-connection queues run on a small shared pool instead of a thread each.
  webrtc::PeerConnectionFactoryDependencies deps;
  deps.network_thread = network_.get();
  deps.worker_thread = worker_.get();
  deps.signaling_thread = signaling_.get();
  deps.task_queue_factory = create_pooled_task_queue_factory(2, &task_pool_);
  deps.call_factory = webrtc::CreateCallFactory();
  deps.trials = std::make_unique<webrtc::FieldTrialBasedConfig>();
  // dcsctp with a bounded receive window (why: factory.hpp, FactoryOptions::sctp_receive_window).
  deps.sctp_factory = create_sctp_factory(network_.get(), options_.sctp_receive_window);
  if (options_.udp_receive_buffer > 0)
    deps.packet_socket_factory =
        create_udp_socket_factory(network_->socketserver(), static_cast<int>(options_.udp_receive_buffer));
  cricket::MediaEngineDependencies media;
  media.task_queue_factory = deps.task_queue_factory.get();
  media.adm = adm_;
  // The builtin audio factories have no Opus in this build: use Opus's own. No video factories,
  // so nothing of ffmpeg or X11 is needed at run time.
  media.audio_encoder_factory = webrtc::CreateOpusAudioEncoderFactory();
  media.audio_decoder_factory = webrtc::CreateOpusAudioDecoderFactory();
  media.audio_processing = webrtc::AudioProcessingBuilder().Create();
  media.trials = deps.trials.get();
  deps.media_engine = cricket::CreateMediaEngine(std::move(media));
  factory_ = webrtc::CreateModularPeerConnectionFactory(std::move(deps));
  RTC_CHECK(factory_) << "cannot create the PeerConnectionFactory";

  webrtc::PeerConnectionFactoryInterface::Options factory_options;
  // Loopback is ignored by default; tests and same-host peers need it. loopback_only keeps
  // tests and benchmarks off every other interface.
  factory_options.network_ignore_mask =
      options_.loopback_only
          ? (rtc::ADAPTER_TYPE_ETHERNET | rtc::ADAPTER_TYPE_WIFI | rtc::ADAPTER_TYPE_CELLULAR | rtc::ADAPTER_TYPE_VPN)
          : 0;
  factory_->SetOptions(factory_options);
}

Engine::~Engine() {
  shutdown();
  // Proxies first, then the objects they wrap, then the threads that own them.
  factory_ = nullptr;
  worker_->BlockingCall([this] { adm_ = nullptr; });
  network_->Stop();
  worker_->Stop();
  signaling_->Stop();
  task_pool_.reset();  // every queue is gone by now
}

void Engine::shutdown() {
  std::vector<std::shared_ptr<PeerConnection>> alive;
  {
    std::lock_guard lock(mutex_);
    for (auto& weak : connections_)
      if (auto pc = weak.lock()) alive.push_back(std::move(pc));
    connections_.clear();
  }
  for (auto& pc : alive) pc->close();
}

InboundBudgets Engine::new_inbound_budgets() const {
  return {std::make_shared<InboundBudget>(options_.max_inbound_bytes_per_connection,
                                          options_.max_inbound_messages_per_connection),
          inbound_total_};
}

void Engine::track(const std::shared_ptr<PeerConnection>& pc) {
  std::lock_guard lock(mutex_);
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  connections_.push_back(pc);
}

size_t Engine::live_connections() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (auto& weak : connections_) n += weak.expired() ? 0 : 1;
  return n;
}

}  // namespace parley::peer::detail
