#include <spdlog/spdlog.h>

#include "bots/bot_registry.hpp"

namespace parley::bots {
std::unique_ptr<Bot> make_chat_bot(const BotSettings&) {
  spdlog::warn("ChatBot: not built yet");
  return nullptr;
}
}  // namespace parley::bots
