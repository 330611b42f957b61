// PeerConnection over libwebrtc. Negotiation state lives on libwebrtc's signalling thread (in
// Negotiator), so its ordering needs no locks; the application side (PeerConnectionImpl) only
// posts work there and receives events through the executor.
#include <atomic>
#include <deque>
#include <mutex>

#include "api/jsep.h"
#include "api/make_ref_counted.h"
#include "api/set_local_description_observer_interface.h"
#include "api/set_remote_description_observer_interface.h"
#include "peer/detail/audio_source_impl.hpp"
#include "peer/detail/certificate.hpp"
#include "peer/detail/data_channel_impl.hpp"
#include "peer/detail/engine.hpp"
#include "peer/detail/peer_connection_impl.hpp"
#include <spdlog/spdlog.h>

#include "protocol/safety_number.hpp"
#include "rtc_base/logging.h"

namespace parley::peer::detail {
namespace {

constexpr size_t kMaxQueuedCandidates = 256;  // early candidates kept per connection (hostile peers)

class SrdObserver : public webrtc::SetRemoteDescriptionObserverInterface {
 public:
  explicit SrdObserver(std::function<void(webrtc::RTCError)> done) : done_(std::move(done)) {}
  void OnSetRemoteDescriptionComplete(webrtc::RTCError error) override { done_(std::move(error)); }

 private:
  std::function<void(webrtc::RTCError)> done_;
};

class SldObserver : public webrtc::SetLocalDescriptionObserverInterface {
 public:
  explicit SldObserver(std::function<void(webrtc::RTCError)> done) : done_(std::move(done)) {}
  void OnSetLocalDescriptionComplete(webrtc::RTCError error) override { done_(std::move(error)); }

 private:
  std::function<void(webrtc::RTCError)> done_;
};

ConnectionState map_state(webrtc::PeerConnectionInterface::PeerConnectionState s) {
  using S = webrtc::PeerConnectionInterface::PeerConnectionState;
  switch (s) {
    case S::kNew: return ConnectionState::New;
    case S::kConnecting: return ConnectionState::Connecting;
    case S::kConnected: return ConnectionState::Connected;
    case S::kDisconnected: return ConnectionState::Disconnected;
    case S::kFailed: return ConnectionState::Failed;
    case S::kClosed: return ConnectionState::Closed;
  }
  return ConnectionState::Closed;
}

}  // namespace

class PeerConnectionImpl;

// Decoded remote audio, called on the audio device's thread: copy and post, never block.
class RemoteAudioSink : public webrtc::AudioTrackSinkInterface {
 public:
  RemoteAudioSink(Executor executor, std::weak_ptr<PeerConnectionImpl> owner)
      : executor_(std::move(executor)), owner_(std::move(owner)) {}
  void OnData(const void* data, int bits, int rate, size_t channels, size_t frames) override;

 private:
  Executor executor_;
  std::weak_ptr<PeerConnectionImpl> owner_;
};

// Everything that runs on the signalling thread.
class Negotiator : public webrtc::PeerConnectionObserver, public std::enable_shared_from_this<Negotiator> {
 public:
  Negotiator(Executor executor, std::weak_ptr<PeerConnectionImpl> owner, InboundBudgets budgets)
      : budgets(std::move(budgets)), executor_(std::move(executor)), owner_(std::move(owner)) {}

  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc;
  std::vector<std::weak_ptr<DataChannelImpl>> channels;
  std::vector<rtc::scoped_refptr<webrtc::AudioTrackInterface>> local_tracks;
  std::vector<std::pair<rtc::scoped_refptr<webrtc::AudioTrackInterface>, std::unique_ptr<RemoteAudioSink>>> remote_sinks;
  std::atomic<ConnectionState> state{ConnectionState::New};
  const InboundBudgets budgets;  // shared by this connection's channels
  bool wants_audio = false;      // on_remote_audio is set: decoded remote audio is posted

  void apply_remote(webrtc::SdpType type, std::unique_ptr<webrtc::SessionDescriptionInterface> desc);
  void add_candidate(std::unique_ptr<webrtc::IceCandidateInterface> candidate);
  void want_offer() {
    offer_wanted_ = true;
    maybe_offer();
  }
  void adopt(const std::shared_ptr<DataChannelImpl>& channel) {
    std::erase_if(channels, [](const auto& w) { return w.expired(); });
    channels.push_back(channel);
  }
  void close();

  // webrtc::PeerConnectionObserver
  void OnSignalingChange(webrtc::PeerConnectionInterface::SignalingState) override {}
  void OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) override;
  void OnIceGatheringChange(webrtc::PeerConnectionInterface::IceGatheringState) override {}
  void OnIceCandidate(const webrtc::IceCandidateInterface* candidate) override;
  void OnConnectionChange(webrtc::PeerConnectionInterface::PeerConnectionState new_state) override;
  void OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) override;

 private:
  void on_remote_set(webrtc::SdpType type, const webrtc::RTCError& error);
  void on_local_set(const webrtc::RTCError& error);
  void maybe_offer();
  void set_local();
  template <class F>
  void emit(F&& f);

  Executor executor_;
  std::weak_ptr<PeerConnectionImpl> owner_;
  bool closed_ = false;
  bool remote_requested_ = false;
  bool offer_wanted_ = false;
  int in_flight_ = 0;
  std::deque<std::unique_ptr<webrtc::IceCandidateInterface>> queued_;
};

class PeerConnectionImpl final : public PeerConnection, public std::enable_shared_from_this<PeerConnectionImpl> {
 public:
  PeerConnectionImpl(std::shared_ptr<Engine> engine, PeerCallbacks callbacks)
      : engine_(std::move(engine)), callbacks_(std::move(callbacks)) {}
  ~PeerConnectionImpl() override { close(); }

  bool open(const PeerConfig& config);

  void set_remote_description(const SessionDescription& description) override;
  void add_remote_candidate(const IceCandidate& candidate) override;
  void offer() override;
  void restart_ice() override;
  std::shared_ptr<DataChannel> create_data_channel(const std::string& label) override;
  bool add_audio(std::shared_ptr<AudioSource> source, bool opus_only) override;
  ConnectionState state() const override { return neg_ ? neg_->state.load() : ConnectionState::Closed; }
  std::optional<size_t> remote_max_message_size() const override;
  std::optional<std::string> local_fingerprint() const override { return fingerprint(true); }
  std::optional<std::string> remote_fingerprint() const override { return fingerprint(false); }
  void close() override;

  // Executor side: copy the callback under the lock, call it outside.
  template <class M, class... A>
  void invoke(M PeerCallbacks::*member, A&&... args) {
    M cb;
    {
      std::lock_guard lock(mutex_);
      cb = callbacks_.*member;
    }
    if (cb) cb(std::forward<A>(args)...);
  }

 private:
  // Runs f on the signalling thread with the negotiator, unless closed.
  template <class F>
  void on_signalling(F&& f) {
    auto neg = neg_;
    if (!neg || closed_) return;
    engine_->signaling()->PostTask([neg, f = std::forward<F>(f)]() mutable {
      if (neg->pc) f(*neg);
    });
  }

  std::optional<std::string> fingerprint(bool local) const;

  std::shared_ptr<Engine> engine_;
  std::shared_ptr<Negotiator> neg_;
  std::atomic<bool> closed_{false};
  mutable std::mutex mutex_;
  PeerCallbacks callbacks_;
};

void RemoteAudioSink::OnData(const void* data, int bits, int rate, size_t channels, size_t frames) {
  if (bits != 16 || channels == 0 || channels > 8) return;
  const auto* samples = static_cast<const int16_t*>(data);
  AudioFrame frame{std::vector<int16_t>(samples, samples + channels * frames), rate, static_cast<int>(channels)};
  executor_([owner = owner_, frame = std::move(frame)]() mutable {
    if (auto self = owner.lock()) self->invoke(&PeerCallbacks::on_remote_audio, std::move(frame));
  });
}

template <class F>
void Negotiator::emit(F&& f) {
  executor_([owner = owner_, f = std::forward<F>(f)]() mutable {
    if (auto self = owner.lock()) f(*self);
  });
}

void Negotiator::apply_remote(webrtc::SdpType type, std::unique_ptr<webrtc::SessionDescriptionInterface> desc) {
  if (closed_) return;
  auto signalling = pc->signaling_state();
  if (type == webrtc::SdpType::kOffer && signalling == webrtc::PeerConnectionInterface::kHaveLocalOffer) {
    spdlog::warn("peer: offer received while our own offer is pending; dropped (no rollback)");
    return;
  }
  if (type == webrtc::SdpType::kAnswer && signalling != webrtc::PeerConnectionInterface::kHaveLocalOffer) {
    spdlog::warn("peer: answer received without a pending offer; ignored");
    return;
  }
  ++in_flight_;
  pc->SetRemoteDescription(std::move(desc),
                           rtc::make_ref_counted<SrdObserver>([self = shared_from_this(), type](webrtc::RTCError e) {
                             self->on_remote_set(type, e);
                           }));
  // Added after the description in libwebrtc's operation chain, so they apply to it.
  remote_requested_ = true;
  while (!queued_.empty()) {
    auto candidate = std::move(queued_.front());
    queued_.pop_front();
    add_candidate(std::move(candidate));
  }
}

void Negotiator::add_candidate(std::unique_ptr<webrtc::IceCandidateInterface> candidate) {
  if (closed_) return;
  if (!remote_requested_) {
    if (queued_.size() < kMaxQueuedCandidates) queued_.push_back(std::move(candidate));
    return;
  }
  pc->AddIceCandidate(std::move(candidate), [](webrtc::RTCError e) {
    // Stale ufrag after a restart, a candidate of a dropped offer, an unresolvable mDNS name.
    if (!e.ok()) spdlog::debug("peer: remote candidate ignored: {}", e.message());
  });
}

void Negotiator::on_remote_set(webrtc::SdpType type, const webrtc::RTCError& error) {
  --in_flight_;
  if (closed_) return;
  if (!error.ok()) {
    spdlog::warn("peer: setRemoteDescription failed: {}", error.message());
  } else if (type == webrtc::SdpType::kOffer) {
    set_local();  // the implicit answer
    return;
  }
  maybe_offer();
}

void Negotiator::set_local() {
  ++in_flight_;
  pc->SetLocalDescription(
      rtc::make_ref_counted<SldObserver>([self = shared_from_this()](webrtc::RTCError e) { self->on_local_set(e); }));
}

void Negotiator::on_local_set(const webrtc::RTCError& error) {
  --in_flight_;
  if (closed_) return;
  if (!error.ok()) {
    spdlog::warn("peer: setLocalDescription failed: {}", error.message());
  } else if (const auto* local = pc->local_description()) {
    SessionDescription desc{webrtc::SdpTypeToString(local->GetType()), {}};
    local->ToString(&desc.sdp);
    emit([desc = std::move(desc)](PeerConnectionImpl& self) {
      self.invoke(&PeerCallbacks::on_local_description, desc);
    });
  }
  maybe_offer();
}

void Negotiator::maybe_offer() {
  // Bots offer only from stable and never roll back (PROTOCOL §6.3).
  if (closed_ || !offer_wanted_ || in_flight_ > 0 || pc->signaling_state() != webrtc::PeerConnectionInterface::kStable)
    return;
  offer_wanted_ = false;
  set_local();  // the implicit offer
}

void Negotiator::OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) {
  if (closed_) return;
  auto impl = std::make_shared<DataChannelImpl>(executor_, rtc::Thread::Current(), std::move(channel), budgets);
  impl->attach();
  adopt(impl);
  emit([impl = std::move(impl)](PeerConnectionImpl& self) mutable {
    self.invoke(&PeerCallbacks::on_data_channel, std::move(impl));
  });
}

void Negotiator::OnIceCandidate(const webrtc::IceCandidateInterface* candidate) {
  if (closed_ || !candidate) return;
  IceCandidate c;
  if (!candidate->ToString(&c.candidate) || c.candidate.empty()) return;  // never end-of-candidates
  c.sdp_mid = candidate->sdp_mid();
  c.sdp_mline_index = candidate->sdp_mline_index();
  c.username_fragment = candidate->candidate().username();
  emit([c = std::move(c)](PeerConnectionImpl& self) { self.invoke(&PeerCallbacks::on_local_candidate, c); });
}

void Negotiator::OnConnectionChange(webrtc::PeerConnectionInterface::PeerConnectionState new_state) {
  auto mapped = map_state(new_state);
  state = mapped;
  if (closed_) return;
  emit([mapped](PeerConnectionImpl& self) { self.invoke(&PeerCallbacks::on_state, mapped); });
}

void Negotiator::OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) {
  if (closed_) return;
  auto track = transceiver->receiver()->track();
  if (!track || track->kind() != webrtc::MediaStreamTrackInterface::kAudioKind) return;  // video is ignored
  // Nobody listens (the bots): no sink, so a peer's audio never reaches the executor.
  if (!wants_audio) return;
  auto audio = rtc::scoped_refptr<webrtc::AudioTrackInterface>(static_cast<webrtc::AudioTrackInterface*>(track.get()));
  auto sink = std::make_unique<RemoteAudioSink>(executor_, owner_);
  audio->AddSink(sink.get());
  remote_sinks.emplace_back(std::move(audio), std::move(sink));
}

void Negotiator::close() {
  if (closed_) return;
  closed_ = true;
  queued_.clear();
  for (auto& weak : channels)
    if (auto ch = weak.lock()) ch->release();
  channels.clear();
  for (auto& [track, sink] : remote_sinks) track->RemoveSink(sink.get());
  pc->Close();  // after this returns libwebrtc no longer calls this observer
  state = ConnectionState::Closed;
  remote_sinks.clear();
  local_tracks.clear();
  pc = nullptr;
}

bool PeerConnectionImpl::open(const PeerConfig& config) {
  webrtc::PeerConnectionInterface::RTCConfiguration rtc_config;
  rtc_config.sdp_semantics = webrtc::SdpSemantics::kUnifiedPlan;
  // UDP only: fewer sockets per peer; TURN over TCP/TLS still works through the relay.
  rtc_config.tcp_candidate_policy = webrtc::PeerConnectionInterface::kTcpCandidatePolicyDisabled;
  for (const auto& server : config.ice_servers) {
    webrtc::PeerConnectionInterface::IceServer s;
    s.urls = server.urls;
    s.username = server.username;
    s.password = server.credential;
    rtc_config.servers.push_back(std::move(s));
  }
  if (config.relay_only) rtc_config.type = webrtc::PeerConnectionInterface::kRelay;
  if (config.failure_timeout) {
    int ms = static_cast<int>(config.failure_timeout->count());
    rtc_config.ice_connection_receiving_timeout = ms / 2;
    rtc_config.ice_unwritable_timeout = ms / 2;
    rtc_config.ice_inactive_timeout = ms;
  }
  if (config.certificate) {
    std::string error;
    auto certificate = load_certificate(*config.certificate, &error);
    if (!certificate) {
      // Never a fresh certificate instead: the peer would see another fingerprint.
      spdlog::error("peer: the DTLS certificate does not load ({}); no connection made", error);
      return false;
    }
    rtc_config.certificates.push_back(std::move(certificate));
  }
  auto neg = std::make_shared<Negotiator>(engine_->options().executor, weak_from_this(), engine_->new_inbound_budgets());
  neg->wants_audio = static_cast<bool>(callbacks_.on_remote_audio);  // before libwebrtc can call it
  auto result = engine_->factory()->CreatePeerConnectionOrError(rtc_config, webrtc::PeerConnectionDependencies(neg.get()));
  if (!result.ok()) {
    spdlog::error("peer: cannot create a peer connection: {}", result.error().message());
    return false;
  }
  neg->pc = result.MoveValue();
  neg_ = std::move(neg);
  return true;
}

void PeerConnectionImpl::set_remote_description(const SessionDescription& description) {
  auto type = webrtc::SdpTypeFromString(description.type);
  if (!type || (*type != webrtc::SdpType::kOffer && *type != webrtc::SdpType::kAnswer)) {
    spdlog::warn("peer: ignored a remote description of type '{}'", description.type.substr(0, 16));
    return;
  }
  webrtc::SdpParseError error;
  auto desc = webrtc::CreateSessionDescription(*type, description.sdp, &error);
  if (!desc) {
    spdlog::warn("peer: unparsable remote SDP: {}", error.description.substr(0, 128));
    return;
  }
  on_signalling([type = *type, desc = std::move(desc)](Negotiator& n) mutable { n.apply_remote(type, std::move(desc)); });
}

void PeerConnectionImpl::add_remote_candidate(const IceCandidate& candidate) {
  if (candidate.candidate.empty()) return;  // end-of-candidates: ignored
  webrtc::SdpParseError error;
  std::unique_ptr<webrtc::IceCandidateInterface> c(
      webrtc::CreateIceCandidate(candidate.sdp_mid, candidate.sdp_mline_index, candidate.candidate, &error));
  if (!c) {
    spdlog::debug("peer: unparsable remote candidate ignored");
    return;
  }
  on_signalling([c = std::move(c)](Negotiator& n) mutable { n.add_candidate(std::move(c)); });
}

void PeerConnectionImpl::offer() {
  on_signalling([](Negotiator& n) { n.want_offer(); });
}

void PeerConnectionImpl::restart_ice() {
  on_signalling([](Negotiator& n) {
    n.pc->RestartIce();
    n.want_offer();
  });
}

std::shared_ptr<DataChannel> PeerConnectionImpl::create_data_channel(const std::string& label) {
  auto neg = neg_;
  if (!neg || closed_) return nullptr;
  std::shared_ptr<DataChannelImpl> impl;
  engine_->signaling()->BlockingCall([&] {
    if (!neg->pc) return;
    webrtc::DataChannelInit init;  // ordered, reliable, in-band negotiated (PROTOCOL §6.2)
    auto result = neg->pc->CreateDataChannelOrError(label, &init);
    if (!result.ok()) {
      spdlog::warn("peer: createDataChannel failed: {}", result.error().message());
      return;
    }
    impl = std::make_shared<DataChannelImpl>(engine_->options().executor, engine_->signaling(), result.MoveValue(),
                                             neg->budgets);
    impl->attach();
    neg->adopt(impl);
  });
  return impl;
}

bool PeerConnectionImpl::add_audio(std::shared_ptr<AudioSource> source, bool opus_only) {
  auto neg = neg_;
  auto* push = dynamic_cast<AudioSourceImpl*>(source.get());
  if (!neg || closed_ || !push) return false;
  bool ok = false;
  engine_->signaling()->BlockingCall([&] {
    if (!neg->pc) return;
    auto* factory = engine_->factory();
    auto track = factory->CreateAudioTrack("track-" + std::to_string(reinterpret_cast<uintptr_t>(push)),
                                           push->source().get());
    webrtc::RtpTransceiverInit init;
    init.direction = webrtc::RtpTransceiverDirection::kSendOnly;
    init.stream_ids = {"stream-" + std::to_string(reinterpret_cast<uintptr_t>(push))};
    auto result = neg->pc->AddTransceiver(track, init);
    if (!result.ok()) {
      spdlog::warn("peer: addTransceiver failed: {}", result.error().message());
      return;
    }
    if (opus_only) {
      auto caps = factory->GetRtpSenderCapabilities(cricket::MEDIA_TYPE_AUDIO);
      std::vector<webrtc::RtpCodecCapability> opus;
      for (const auto& codec : caps.codecs)
        if (codec.name == "opus") opus.push_back(codec);
      auto error = result.value()->SetCodecPreferences(opus);
      if (!error.ok()) spdlog::warn("peer: Opus-only preference refused: {}", error.message());
    }
    // Payloads of Ogg files pass through unchanged when the source is switched to it (§8.3).
    result.value()->sender()->SetEncoderToPacketizerFrameTransformer(
        rtc::make_ref_counted<OpusPassthroughTransformer>(push->packets()));
    neg->local_tracks.push_back(track);
    ok = true;
  });
  return ok;
}

std::optional<size_t> PeerConnectionImpl::remote_max_message_size() const {
  auto neg = neg_;
  if (!neg || closed_) return std::nullopt;
  std::optional<size_t> size;
  engine_->signaling()->BlockingCall([&] {
    if (!neg->pc) return;
    if (auto sctp = neg->pc->GetSctpTransport()) {
      auto max = sctp->Information().MaxMessageSize();
      if (max && *max > 0) size = static_cast<size_t>(*max);
    }
  });
  return size;
}

std::optional<std::string> PeerConnectionImpl::fingerprint(bool local) const {
  auto neg = neg_;
  if (!neg || closed_) return std::nullopt;
  std::string sdp;
  // Descriptions belong to the signalling thread; only the text crosses back.
  engine_->signaling()->BlockingCall([&] {
    if (!neg->pc) return;
    const auto* desc = local ? neg->pc->current_local_description() : neg->pc->current_remote_description();
    if (desc) desc->ToString(&sdp);
  });
  return protocol::sdp_fingerprint(sdp);
}

void PeerConnectionImpl::close() {
  if (closed_.exchange(true)) return;
  if (auto neg = neg_) {
    engine_->signaling()->BlockingCall([&] {
      if (neg->pc) neg->close();
    });
  }
  std::lock_guard lock(mutex_);
  callbacks_ = {};  // breaks cycles through captured shared_ptrs
}

std::shared_ptr<PeerConnection> create_peer_connection(const std::shared_ptr<Engine>& engine, const PeerConfig& config,
                                                       PeerCallbacks callbacks) {
  auto pc = std::make_shared<PeerConnectionImpl>(engine, std::move(callbacks));
  if (!pc->open(config)) return nullptr;
  engine->track(pc);
  return pc;
}


}  // namespace parley::peer::detail
