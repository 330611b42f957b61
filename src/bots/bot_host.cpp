#include "bots/bot_host.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bots/peer_session.hpp"

namespace parley::bots {
namespace json = boost::json;

namespace {

std::optional<std::string> string_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

}  // namespace

BotHost::BotHost(boost::asio::io_context& io, peer::Factory& factory, std::unique_ptr<Bot> bot,
                 SignallingOptions signalling, RuntimeOptions options)
    : io_(io), factory_(factory), bot_(std::move(bot)), options_(std::move(options)) {
  SignallingEvents events;
  events.on_registered = [this](const std::string& id, const std::string&) { on_registered(id); };
  events.on_sdp = [this](const std::string& from, const std::string& type, const std::string& j) { on_sdp(from, type, j); };
  events.on_ice = [this](const std::string& from, const std::string& j) { on_ice(from, j); };
  events.on_offline = [this](const std::string& id) { end_session(id, "offline"); };
  client_ = std::make_shared<SignallingClient>(io_, std::move(signalling), std::move(events));
}

BotHost::~BotHost() {
  end_all("shutdown");
  if (options_.ice_credentials) options_.ice_credentials->stop();
}

void BotHost::start() {
  if (options_.ice_credentials) options_.ice_credentials->start();
  client_->start();
}

void BotHost::stop() {
  bot_->shutdown();
  end_all("shutdown");
  client_->stop();
  if (options_.ice_credentials) options_.ice_credentials->stop();
}

peer::PeerConfig BotHost::peer_config() const {
  auto config = options_.peer_config;
  if (options_.ice_credentials)
    for (auto& server : options_.ice_credentials->current()) config.ice_servers.push_back(std::move(server));
  return config;
}

std::shared_ptr<PeerSession> BotHost::session(const std::string& peer_id) const {
  auto it = sessions_.find(peer_id);
  return it == sessions_.end() ? nullptr : it->second;
}

void BotHost::on_registered(const std::string& node_id) {
  // A new node id means peers see a new node: connections made under the old id cannot be
  // renegotiated any more, so they are closed rather than left to linger.
  if (!last_node_id_.empty() && last_node_id_ != node_id) end_all("own node id changed");
  last_node_id_ = node_id;
}

void BotHost::on_sdp(const std::string& from, const std::string& type, const std::string& offer_json) {
  json::error_code ec;
  auto v = json::parse(offer_json, ec);
  if (ec || !v.is_object()) {
    spdlog::warn("{}: unparsable offer_json from {}", bot_->name(), from.substr(0, 64));
    return;
  }
  auto sdp = string_member(v.get_object(), "sdp");
  if (!sdp) return;
  // Receivers act on the envelope type (§2.5.5).
  auto existing = session(from);
  if (!existing) {
    if (type != "offer") return;  // an answer for a connection we do not have
    if (sessions_.size() >= options_.max_sessions) {
      spdlog::warn("{}: {} peers already; offer from {} refused", bot_->name(), sessions_.size(), from.substr(0, 64));
      return;
    }
    existing = std::make_shared<PeerSession>(*this, from);
    if (!existing->open()) return;
    sessions_[from] = existing;
    spdlog::info("{}: new peer {} ({} peers)", bot_->name(), from, sessions_.size());
  }
  existing->on_remote_description(type, *sdp);
}

void BotHost::on_ice(const std::string& from, const std::string& offer_json) {
  auto existing = session(from);
  if (!existing) return;  // candidates for an unknown peer are dropped (§6.4)
  json::error_code ec;
  auto v = json::parse(offer_json, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.get_object();
  peer::IceCandidate c;
  auto candidate = string_member(o, "candidate");
  if (!candidate || candidate->empty()) return;  // end-of-candidates: ignored
  c.candidate = *candidate;
  c.sdp_mid = string_member(o, "sdpMid").value_or("");
  if (auto it = o.find("sdpMLineIndex"); it != o.end() && it->value().is_int64())
    c.sdp_mline_index = static_cast<int>(std::clamp<int64_t>(it->value().get_int64(), 0, 1024));
  c.username_fragment = string_member(o, "usernameFragment").value_or("");
  existing->on_remote_candidate(c);
}

void BotHost::send_description(const std::string& peer_id, const peer::SessionDescription& d) {
  json::object o{{"type", d.type}, {"sdp", d.sdp}};
  client_->send_sdp(peer_id, d.type, json::serialize(o));
}

void BotHost::send_candidate(const std::string& peer_id, const peer::IceCandidate& c) {
  json::object o{{"candidate", c.candidate}, {"sdpMid", c.sdp_mid}, {"sdpMLineIndex", c.sdp_mline_index}};
  if (!c.username_fragment.empty()) o["usernameFragment"] = c.username_fragment;
  client_->send_ice(peer_id, json::serialize(o));
}

void BotHost::end_session(const std::string& peer_id_ref, const char* reason) {
  const std::string peer_id = peer_id_ref;  // the reference may point into sessions_ itself
  auto it = sessions_.find(peer_id);
  if (it == sessions_.end()) return;
  auto session = std::move(it->second);  // keeps it alive while it closes
  sessions_.erase(it);
  spdlog::info("{}: peer {} left ({}); {} peers", bot_->name(), peer_id, reason, sessions_.size());
  bot_->on_peer_left(peer_id);
  session->close();
}

void BotHost::end_all(const char* reason) {
  while (!sessions_.empty()) {
    std::string id = sessions_.begin()->first;  // a copy: end_session erases the key
    end_session(id, reason);
  }
}

}  // namespace parley::bots
