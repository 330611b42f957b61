// CounterBot (PROTOCOL.md §9.3): a personal counter per peer.
#include <unordered_map>

#include "bots/bot_registry.hpp"
#include "bots/peer_session.hpp"
#include "bots/text_util.hpp"

namespace parley::bots {
namespace {

constexpr const char* kHelp =
    "🔢 Counter Bot - Available Commands:\n"
    "\n"
    "/start - Show this help message\n"
    "/increase - Increase your personal counter by 1\n"
    "/reset - Reset your personal counter to 0\n"
    "\n"
    "Your counter is personal and independent from other users!";

class CounterBot final : public Bot {
 public:
  std::string_view name() const override { return "CounterBot"; }

  void on_text(PeerSession& peer, const protocol::ChatMessage& in) override {
    const auto command = trim(*in.message);
    if (command == "/start") {
      peer.send_text(kHelp);
    } else if (command == "/increase") {
      peer.send_text("Counter increased! Current value: " + std::to_string(++counters_[peer.peer_id()]));
    } else if (command == "/reset") {
      counters_[peer.peer_id()] = 0;
      peer.send_text("Counter reset! Current value: 0");
    }
    // Anything else gets only the ACK the runtime already sent.
  }

  void on_peer_left(const std::string& peer_id) override { counters_.erase(peer_id); }

 private:
  std::unordered_map<std::string, long long> counters_;
};

}  // namespace

std::unique_ptr<Bot> make_counter_bot(const BotSettings&) { return std::make_unique<CounterBot>(); }

}  // namespace parley::bots
