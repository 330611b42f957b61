#include "bots/bot_registry.hpp"

namespace parley::bots {

const std::vector<BotEntry>& all_bots() {
  static const std::vector<BotEntry> bots = {
      {"EchoBot", make_echo_bot},
      {"CounterBot", make_counter_bot},
      {"ClockBot", make_clock_bot},
      {"MusicBot", make_music_bot},
      {"ChatBot", make_chat_bot},
  };
  return bots;
}

}  // namespace parley::bots
