// ClockBot (PROTOCOL.md §9.4): /now sends the time, then a Replace patch every second on the
// peer's one msgpatch channel, until the peer leaves, sends anything else, or a send fails.
#include <boost/asio/steady_timer.hpp>
#include <ctime>
#include <unordered_map>

#include "bots/bot_registry.hpp"
#include "bots/peer_session.hpp"
#include "bots/text_util.hpp"

namespace parley::bots {
namespace {

constexpr const char* kHelp =
    "🕐 Clock Bot - Available Commands:\n"
    "\n"
    "/start - Show this help message\n"
    "/now - Display a real-time clock that updates every second\n"
    "\n"
    "The clock will continue updating until you send another command or disconnect.";

// RFC 3339 with seconds in the host's time zone: 2025-01-01T12:00:00+01:00, or ...Z for UTC.
std::string clock_text() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
  std::string out = std::string("🕐 Current Time: ") + buf;
  long offset = local.tm_gmtoff;
  if (offset == 0) return out + "Z";
  char zone[32];
  const int minutes = static_cast<int>(std::labs(offset) / 60 % (24 * 60));
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return out + zone;
}

struct Clock {
  explicit Clock(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::weak_ptr<PeerSession> peer;
  std::string message_id;
};

class ClockBot final : public Bot {
 public:
  std::string_view name() const override { return "ClockBot"; }

  void on_text(PeerSession& peer, const protocol::ChatMessage& in) override {
    clocks_.erase(peer.peer_id());  // any further text stops the clock (a /now restarts it)
    const auto command = trim(*in.message);
    if (command == "/start") {
      peer.send_text(kHelp);
    } else if (command == "/now") {
      auto id = peer.send_text(clock_text());
      if (id.empty()) return;
      auto clock = std::make_shared<Clock>(peer.io());
      clock->peer = peer.weak_from_this();
      clock->message_id = id;
      clocks_[peer.peer_id()] = clock;
      schedule(clock, peer.peer_id());
    }
  }

  void on_peer_left(const std::string& peer_id) override { clocks_.erase(peer_id); }
  void shutdown() override { clocks_.clear(); }

 private:
  void schedule(const std::shared_ptr<Clock>& clock, const std::string& peer_id) {
    clock->timer.expires_after(std::chrono::seconds(1));
    clock->timer.async_wait([this, weak = std::weak_ptr<Clock>(clock), peer_id](boost::system::error_code ec) {
      auto clock = weak.lock();
      if (ec || !clock) return;  // stopped: the clock was erased
      auto peer = clock->peer.lock();
      if (!peer || !peer->send_patch(protocol::PatchKind::replace, clock->message_id, clock_text())) {
        clocks_.erase(peer_id);  // a failed send stops the clock
        return;
      }
      schedule(clock, peer_id);
    });
  }

  std::unordered_map<std::string, std::shared_ptr<Clock>> clocks_;
};

}  // namespace

std::unique_ptr<Bot> make_clock_bot(const BotSettings&) { return std::make_unique<ClockBot>(); }

}  // namespace parley::bots
