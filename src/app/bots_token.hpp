#pragma once
// Looks at a bot's JWT without verifying it (the server does): warns before expiry and drops
// an expired token so the bot runs anonymously instead (PROTOCOL.md §9.7).
#include <string>

namespace parley::app {

// Returns the token to use: `token` itself, or "" when it is expired or unreadable.
std::string check_bot_token(const std::string& bot, const std::string& token);

}  // namespace parley::app
