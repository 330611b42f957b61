// ChatBot (PROTOCOL.md §9.6): each message goes to an OpenAI-compatible chat completions API
// with this peer's bounded history; replies stream live through msgpatch Append orders when
// --chatbot-stream is on. The model call never blocks the event loop.
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <unordered_map>

#include "bots/bot_registry.hpp"
#include "bots/llm_client.hpp"
#include "bots/peer_session.hpp"
#include "bots/util.hpp"

namespace parley::bots {
namespace {

constexpr const char* kSystemPrompt = "You are a helpful assistant. Respond concisely and helpfully to user messages.";
constexpr const char* kNoAnswer = "I apologize, but I couldn't generate a response at this time.";
constexpr const char* kError = "Sorry, I can't answer right now. Please try again later.";
constexpr const char* kBusy = "I'm still working on your previous message.";
constexpr size_t kMaxWaiting = 4;           // messages queued behind the one in flight
constexpr size_t kMaxHistoryChars = 16000;  // per peer, oldest turns dropped first
constexpr size_t kMaxReplyBytes = 60000;    // a ChatMessage stays under 64 KiB
constexpr size_t kMaxUserBytes = 8000;      // one user turn sent to the model
constexpr auto kAppendInterval = std::chrono::milliseconds(200);  // at most 5 Append orders/s

struct Conversation {
  explicit Conversation(boost::asio::io_context& io) : flush_timer(io) {}
  std::deque<LlmTurn> history;
  std::deque<std::string> waiting;
  bool busy = false;
  // Streaming state of the reply in flight.
  std::string reply_id;     // M, once sent
  std::string streamed;     // text sent so far (message + appends)
  std::string unsent;       // deltas not yet appended
  boost::asio::steady_timer flush_timer;
  bool flush_armed = false;
  uint64_t generation = 0;  // tells stale worker results apart after the peer left
};

class ChatBot final : public Bot {
 public:
  ChatBot(boost::asio::io_context& io, LlmConfig config, size_t history_turns)
      : llm_(io, std::move(config)), history_turns_(history_turns) {}

  std::string_view name() const override { return "ChatBot"; }
  bool accepts_rich_text() const override { return true; }

  void set_stream(bool stream) { stream_ = stream; }

  void on_text(PeerSession& peer, const protocol::ChatMessage& in) override {
    std::string text = in.message ? *in.message : in.rich_text->content;
    auto& c = conversation(peer);
    if (c.busy) {
      if (c.waiting.size() >= kMaxWaiting) {
        peer.send_text(kBusy);  // the per-peer rate limit
        return;
      }
      c.waiting.push_back(std::move(text));
      return;
    }
    ask(peer, c, std::move(text));
  }

  void on_peer_left(const std::string& peer_id) override { conversations_.erase(peer_id); }
  void shutdown() override {
    conversations_.clear();
    llm_.stop();
  }

 private:
  Conversation& conversation(PeerSession& peer) {
    auto& slot = conversations_[peer.peer_id()];
    if (!slot) slot = std::make_shared<Conversation>(peer.io());
    return *slot;
  }

  void remember(Conversation& c, std::string role, std::string content) {
    c.history.push_back({std::move(role), std::move(content)});
    size_t chars = 0;
    for (const auto& t : c.history) chars += t.content.size();
    while (!c.history.empty() && (c.history.size() > history_turns_ || chars > kMaxHistoryChars)) {
      chars -= c.history.front().content.size();
      c.history.pop_front();
    }
  }

  void ask(PeerSession& peer, Conversation& c, std::string text) {
    c.busy = true;
    c.reply_id.clear();
    c.streamed.clear();
    c.unsent.clear();
    remember(c, "user", truncate_utf8(std::move(text), kMaxUserBytes));
    std::vector<LlmTurn> messages{{"system", kSystemPrompt}};
    messages.insert(messages.end(), c.history.begin(), c.history.end());
    const uint64_t generation = ++c.generation;
    auto weak = peer.weak_from_this();
    const std::string peer_id = peer.peer_id();
    std::function<void(std::string)> on_delta;
    if (stream_)
      on_delta = [this, weak, peer_id, generation](std::string delta) {
        if (auto* conv = live(peer_id, generation)) on_stream_delta(weak, *conv, std::move(delta));
      };
    llm_.complete(std::move(messages), std::move(on_delta), [this, weak, peer_id, generation](LlmResult result) {
      auto* conv = live(peer_id, generation);
      auto peer = weak.lock();
      if (!conv || !peer) return;  // the peer left meanwhile: nothing to send, nothing to keep
      finish(*peer, *conv, std::move(result));
    });
  }

  // The conversation of peer_id if it still waits for this request.
  Conversation* live(const std::string& peer_id, uint64_t generation) {
    auto it = conversations_.find(peer_id);
    return it != conversations_.end() && it->second->generation == generation && it->second->busy ? it->second.get()
                                                                                                  : nullptr;
  }

  void on_stream_delta(const std::weak_ptr<PeerSession>& weak, Conversation& c, std::string delta) {
    auto peer = weak.lock();
    if (!peer) return;
    if (c.reply_id.empty()) {
      // Reply M carries the first delta; the rest follows as Append orders.
      c.streamed = truncate_utf8(std::move(delta), kMaxReplyBytes);
      c.reply_id = peer->send_text(c.streamed);
      return;
    }
    if (c.streamed.size() + c.unsent.size() + delta.size() > kMaxReplyBytes) return;
    c.unsent += delta;
    if (c.flush_armed) return;
    c.flush_armed = true;
    c.flush_timer.expires_after(kAppendInterval);
    auto conv = conversations_[peer->peer_id()];
    c.flush_timer.async_wait([this, weak, conv_weak = std::weak_ptr<Conversation>(conv)](boost::system::error_code ec) {
      auto conv = conv_weak.lock();
      if (ec || !conv) return;  // the conversation is gone
      conv->flush_armed = false;
      flush(weak, *conv);
    });
  }

  void flush(const std::weak_ptr<PeerSession>& weak, Conversation& c) {
    auto peer = weak.lock();
    if (!peer || c.unsent.empty() || c.reply_id.empty()) return;
    if (peer->send_patch(protocol::PatchKind::append, c.reply_id, c.unsent)) c.streamed += c.unsent;
    c.unsent.clear();
  }

  void finish(PeerSession& peer, Conversation& c, LlmResult result) {
    c.flush_timer.cancel();
    c.flush_armed = false;
    if (!result.ok) {
      // Details go to the log only; the user sees a short generic text, never stored.
      spdlog::warn("ChatBot: model request failed for {}: {}", peer.peer_id(), result.detail.substr(0, 300));
      if (c.reply_id.empty())
        peer.send_text(kError);
      else
        peer.send_patch(protocol::PatchKind::replace, c.reply_id, kError);
    } else {
      std::string text = result.text.empty() ? std::string(kNoAnswer) : truncate_utf8(std::move(result.text), kMaxReplyBytes);
      if (c.reply_id.empty())
        peer.send_text(text);
      else
        peer.send_patch(protocol::PatchKind::replace, c.reply_id, text);  // the full text, once
      remember(c, "assistant", std::move(text));
    }
    c.busy = false;
    c.reply_id.clear();
    if (!c.waiting.empty()) {
      auto next = std::move(c.waiting.front());
      c.waiting.pop_front();
      ask(peer, c, std::move(next));
    }
  }

  LlmClient llm_;
  size_t history_turns_;
  bool stream_ = false;
  std::unordered_map<std::string, std::shared_ptr<Conversation>> conversations_;
};

}  // namespace

std::unique_ptr<Bot> make_chat_bot(const BotSettings& s) {
  if (s.chatbot_model.empty()) {
    spdlog::warn("ChatBot: no --chatbot-model; ChatBot is disabled (the other bots run)");
    return nullptr;
  }
  if (s.chatbot_api_key.empty() && s.chatbot_base_url.find("openrouter.ai") != std::string::npos) {
    spdlog::warn("ChatBot: no API key for {}; ChatBot is disabled (the other bots run)", s.chatbot_base_url);
    return nullptr;
  }
  if (!s.io) return nullptr;
  LlmConfig config{s.chatbot_base_url, s.chatbot_api_key, s.chatbot_model, s.chatbot_timeout, s.chatbot_stream,
                   !s.chatbot_no_reasoning, s.custom_ca_files};
  auto bot = std::make_unique<ChatBot>(*s.io, std::move(config), static_cast<size_t>(std::max(1, s.chatbot_history)));
  bot->set_stream(s.chatbot_stream);
  return bot;
}

}  // namespace parley::bots
