// MusicBot (PROTOCOL.md §8, §9.5): /list, /play <name>. The first /play adds one send-only
// Opus transceiver and offers; later ones switch the source on that stream.
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "bots/audio_pump.hpp"
#include "bots/bot_registry.hpp"
#include "bots/peer_session.hpp"
#include "bots/text_util.hpp"

namespace parley::bots {
namespace {

constexpr const char* kHelp =
    "🎵 WebRTC Audio Bot - Available Commands:\n"
    "\n"
    "/start - Show this help message\n"
    "/list - List all available audio tracks\n"
    "/play <track_name> - Play a specific audio track\n"
    "\n"
    "Example: /play ambient_music";

class MusicBot final : public Bot {
 public:
  MusicBot(std::vector<SourceInfo> sources, bool loop) : sources_(std::move(sources)), loop_(loop) {}
  std::string_view name() const override { return "MusicBot"; }

  void on_text(PeerSession& peer, const protocol::ChatMessage& in) override {
    const auto command = trim(*in.message);
    if (command == "/start") {
      peer.send_text(kHelp);
    } else if (command == "/list") {
      peer.send_text(list_text());
    } else if (command.rfind("/play ", 0) == 0 && command.size() > 6) {
      play(peer, std::string(command.substr(6)));
    }
  }

  void on_peer_left(const std::string& peer_id) override {
    pump_.remove(peer_id);
    sources_by_peer_.erase(peer_id);
  }
  void shutdown() override { pump_.stop(); }

 private:
  std::string list_text() const {
    if (sources_.empty()) return "No tracks available.";
    std::string text = "Available tracks:\n";
    for (const auto& s : sources_) text += "  - " + s.name + "\n";
    return text + "\nUse /play <track_name> to play a track.";
  }

  void play(PeerSession& peer, const std::string& name) {
    auto it = std::find_if(sources_.begin(), sources_.end(), [&](const auto& s) { return s.name == name; });
    if (it == sources_.end()) {
      peer.send_text("Error: Track '" + name + "' not found. Use /list to see available tracks.");
      return;
    }
    auto stream = make_stream(*it, loop_);
    if (!stream) {
      spdlog::warn("MusicBot: cannot open '{}'", it->path);
      peer.send_text("Error: Failed to play track: cannot open the file");
      return;
    }
    auto& source = sources_by_peer_[peer.peer_id()];
    if (!source) {
      // One transceiver per listener, with its own source: its own encoder and position.
      source = peer::AudioSource::create();
      auto* pc = peer.connection();
      if (!pc || !pc->add_audio(source, true)) {
        sources_by_peer_.erase(peer.peer_id());
        peer.send_text("Error: Failed to play track: cannot add an audio track");
        return;
      }
      pc->offer();  // sent once the signalling state is stable (§6.3)
    }
    pump_.play(peer.peer_id(), source, std::move(stream));
    peer.send_text("Now playing: " + name);
  }

  std::vector<SourceInfo> sources_;
  bool loop_;
  std::unordered_map<std::string, std::shared_ptr<peer::AudioSource>> sources_by_peer_;
  AudioPump pump_;
};

}  // namespace

std::unique_ptr<Bot> make_music_bot(const BotSettings& settings) {
  auto sources = build_sources(settings.ogg_files);
  if (settings.ogg_files.empty()) spdlog::info("MusicBot: no --ogg-file given; only C4, A4 and WhiteNoise");
  return std::make_unique<MusicBot>(std::move(sources), settings.loop_files);
}

}  // namespace parley::bots
