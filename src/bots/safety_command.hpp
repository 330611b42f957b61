// `/safety`, which every bot answers the same way (docs/PROTOCOL-EXTENSIONS.md, "Safety
// numbers"): the runtime handles it before the bot sees the message, so no bot's own state
// (CounterBot's counter, ChatBot's history and model) is touched by it.
#pragma once

#include <string>
#include <string_view>

#include "peer/peer_connection.hpp"

namespace parley::bots {

// The text is `/safety`, after trimming white space (§9.1).
bool is_safety_command(std::string_view text);

// The reply: the safety number of the connection, from its applied descriptions, on a line of
// its own.
std::string safety_reply(const peer::PeerConnection& connection);

}  // namespace parley::bots
