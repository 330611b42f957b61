// The list of bots, in start order, and the settings they are built from.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bots/bot.hpp"

namespace parley::bots {

struct BotSettings {
  boost::asio::io_context* io = nullptr;  // the runtime's event loop (timers, posted results)
  // MusicBot
  std::vector<std::string> ogg_files;
  bool loop_files = true;
  // ChatBot (§9.6)
  std::string chatbot_model;
  std::string chatbot_base_url = "https://openrouter.ai/api/v1";
  std::string chatbot_api_key;
  std::chrono::milliseconds chatbot_timeout{60000};
  int chatbot_history = 20;
  bool chatbot_stream = false;
  bool chatbot_no_reasoning = false;
  std::vector<std::string> custom_ca_files;
};

struct BotEntry {
  std::string name;  // built-in name; its upper case + "_JWT_TOKEN" names the token variable
  // nullptr when a setting the bot needs is missing (it logs why); the other bots still run.
  std::function<std::unique_ptr<Bot>(const BotSettings&)> make;
};

const std::vector<BotEntry>& all_bots();

// One factory per bot file.
std::unique_ptr<Bot> make_echo_bot(const BotSettings&);
std::unique_ptr<Bot> make_counter_bot(const BotSettings&);
std::unique_ptr<Bot> make_clock_bot(const BotSettings&);
std::unique_ptr<Bot> make_music_bot(const BotSettings&);
std::unique_ptr<Bot> make_chat_bot(const BotSettings&);

}  // namespace parley::bots
