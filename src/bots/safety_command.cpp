#include "bots/safety_command.hpp"

#include "bots/text_util.hpp"
#include "protocol/safety_number.hpp"

namespace parley::bots {

bool is_safety_command(std::string_view text) { return trim(text) == "/safety"; }

std::string safety_reply(const peer::PeerConnection& connection) {
  const auto local = connection.local_fingerprint();
  const auto remote = connection.remote_fingerprint();
  // A chat message arrives only over a finished handshake, so this is hardly ever seen.
  if (!local || !remote)
    return "This connection has no safety number yet: its key exchange is not finished. Ask again in a moment.";
  return "Safety number of this conversation:\n" + protocol::safety_number(*local, *remote) +
         "\nCompare it with the one your chat shows; if they differ, someone is between us.";
}

}  // namespace parley::bots
