// EchoBot (PROTOCOL.md §9.2): echoes text with its original timestamp, and files byte-exact.
#include <spdlog/spdlog.h>

#include "bots/bot_registry.hpp"
#include "bots/file_transfer.hpp"
#include "bots/peer_session.hpp"
#include "bots/util.hpp"

namespace parley::bots {
namespace {

class EchoBot final : public Bot {
 public:
  std::string_view name() const override { return "EchoBot"; }
  bool receives_files() const override { return true; }
  bool accepts_rich_text() const override { return true; }

  void on_text(PeerSession& peer, const protocol::ChatMessage& in) override {
    // Same content and original timestamp, new id, from/to swapped.
    protocol::ChatMessage out{new_uuid(), peer.own_id(), peer.peer_id(), in.timestamp};
    out.message = in.message;
    out.rich_text = in.rich_text;
    peer.send_chat(out);
  }

  void on_file(PeerSession& peer, const protocol::FileMeta& meta, std::string&& bytes, TransferSlot slot) override {
    protocol::FileMeta back = meta;  // same category, name, type, size, sha256
    back.thumbnail.reset();
    if (!back.sha256) back.sha256 = sha256_hex(bytes);
    spdlog::info("EchoBot: echoing '{}' ({} bytes) to {}", meta.name.substr(0, 64), bytes.size(), peer.peer_id());
    peer.send_file(std::move(back), std::move(bytes), std::move(slot));
  }
};

}  // namespace

std::unique_ptr<Bot> make_echo_bot(const BotSettings&) { return std::make_unique<EchoBot>(); }

}  // namespace parley::bots
