#include "signalling/signalling_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "signalling/node_id.hpp"
#include "signalling/unicode.hpp"
#include "protocol/server_frames.hpp"

namespace parley::signalling {
namespace proto = parley::protocol;

namespace {

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;
constexpr std::size_t kMaxCorrelationId = 128;
constexpr std::size_t kMaxAttributeKey = 64;
constexpr std::size_t kMaxAttributeValueBytes = 256;

bool is_attribute_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxAttributeKey) return false;
  return std::all_of(key.begin(), key.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '.' || ch == '-';
  });
}

void set_attribute(proto::AttributeList& attrs, const std::string& key, const std::string& value) {
  for (auto& [k, v] : attrs)
    if (k == key) {
      v = value;
      return;
    }
  attrs.emplace_back(key, value);
}

// Times one on_text call into the frame handling histogram, whichever way it returns.
class FrameTimer {
public:
  explicit FrameTimer(Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~FrameTimer() {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
    h_.observe_ns(static_cast<std::uint64_t>(ns.count()));
  }
  FrameTimer(const FrameTimer&) = delete;
  FrameTimer& operator=(const FrameTimer&) = delete;

private:
  Histogram& h_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

SignallingService::SignallingService(Router& router, Presence& presence, const ReservedNames& reserved,
                                     const Clock& clock, SignallingLimits limits)
    : router_(router), presence_(presence), reserved_(reserved), clock_(clock), limits_(limits),
      penalties_(limits.penalties) {}

std::int64_t SignallingService::penalty_ms(std::string_view address) const {
  return penalties_.wait_ms(address, clock_.steady_ms());
}

void SignallingService::penalise(const Connection& c) {
  if (c.address.empty()) return;
  penalties_.punish(c.address, clock_.steady_ms());
  metrics_.penalties.inc();
}

Connection& SignallingService::open(FrameSink& sink, Identity identity, std::string address) {
  auto c = std::make_unique<Connection>();
  c->node_id = new_node_id();
  c->default_name = default_node_name(default_name_counter_++);
  const bool bot = identity.is_bot;
  const auto kind = connection_kind(identity);
  metrics_.connections_opened.inc(kind);
  metrics_.connections_open[static_cast<std::size_t>(kind)].add(1);
  c->identity = std::move(identity);
  c->sink = &sink;
  c->address = std::move(address);
  c->connected_at = clock_.unix_s();
  c->last_activity_ms = clock_.steady_ms();
  c->frames = bot ? TokenBucket(limits_.bot_rate_per_second, limits_.bot_rate_burst, c->last_activity_ms)
                  : TokenBucket(limits_.rate_per_second, limits_.rate_burst, c->last_activity_ms);
  c->presence_changes = TokenBucket(limits_.presence_rate_per_second, limits_.presence_burst, c->last_activity_ms);
  return registry_.add(std::move(c));
}

void SignallingService::close(Connection& c) {
  metrics_.connections_open[static_cast<std::size_t>(connection_kind(c.identity))].add(-1);
  if (c.registered) {
    router_.detach(c.node_id);
    presence_.withdraw(c);
  }
  registry_.remove(c.node_id);  // `c` is gone from here on
}

bool SignallingService::idle_expired(const Connection& c) const {
  return clock_.steady_ms() - c.last_activity_ms >= limits_.idle_timeout_ms;
}

void SignallingService::send_error(Connection& c, std::string_view code, std::string_view message,
                                   const std::optional<std::string>& ref) {
  metrics_.errors_sent.inc(error_code_of(code));
  c.sink->reply(make_frame(proto::encode_error(code, message, ref)));
}

void SignallingService::fail(Connection& c, std::string_view code, std::string_view message,
                             const std::optional<std::string>& ref) {
  send_error(c, code, message, ref);
  if (code != "unknown_peer" && code != "invalid_token") count_error(c);
}

void SignallingService::count_error(Connection& c) {
  if (c.errors.record(clock_.steady_ms() / 1000) > limits_.abuse_errors) {
    spdlog::info("closing {}: more than {} errors in 10 s", c.node_id, limits_.abuse_errors);
    metrics_.abuse_closes.inc();
    penalise(c);
    c.sink->close(CloseCode::policy, "too many errors");
  }
}

bool SignallingService::take_rate_token(Connection& c) {
  const auto now = clock_.steady_ms();
  if (c.frames.try_take(now)) return true;
  metrics_.rate_limited.inc(RateBudget::frames);
  // At most one rate_limited frame per second; every limited frame counts toward abuse.
  if (now - c.last_rate_error_ms >= 1000) {
    c.last_rate_error_ms = now;
    send_error(c, "rate_limited", "too many frames; slow down", std::nullopt);
  }
  count_error(c);
  return false;
}

bool SignallingService::take_presence_token(Connection& c, const char* ref) {
  if (c.presence_changes.try_take(clock_.steady_ms())) return true;
  metrics_.rate_limited.inc(RateBudget::presence);
  fail(c, "rate_limited", "too many registers and renames; slow down", std::string(ref));
  return false;
}

bool SignallingService::on_control_frame(Connection& c) { return take_rate_token(c); }

void SignallingService::on_binary(Connection& c) {
  metrics_.frames_in.inc(FrameIn::binary);
  fail(c, "bad_json", "binary frames are not accepted", std::nullopt);
}

void SignallingService::on_too_large(Connection& c) {
  metrics_.frames_in.inc(FrameIn::too_large);
  fail(c, "too_large", "frame exceeds 65536 bytes", std::nullopt);
}

void SignallingService::on_text(Connection& c, std::string_view text) {
  FrameTimer timer(metrics_.frame_seconds);
  if (text.size() > limits_.max_text_bytes) return on_too_large(c);
  if (!take_rate_token(c)) return metrics_.frames_in.inc(FrameIn::rate_limited);
  auto decoded = proto::decode_envelope(text, proto::Sender::client);
  if (!decoded.ok()) {
    metrics_.frames_in.inc(decoded.error.code == "bad_json" ? FrameIn::bad_json : FrameIn::bad_field);
    return fail(c, decoded.error.code, decoded.error.message, decoded.error.ref);
  }
  c.last_activity_ms = clock_.steady_ms();

  // Steps in the fixed order of §2.8. Each handler may fail on its own; the rest still run.
  // A handler can close the connection (sink->close) but never destroys `c` synchronously.
  const auto& env = *decoded.envelope;
  auto& in = metrics_.frames_in;
  if (!env.register_ && !env.echo && !env.attributes_announcement && !env.rename && !env.sdp_offer && !env.ice_offer)
    in.inc(FrameIn::other);
  if (env.register_) {
    in.inc(FrameIn::register_);
    handle_register(c, *env.register_);
  }
  if (env.echo) {
    in.inc(FrameIn::echo);
    handle_echo(c, *env.echo);
  }
  if (env.attributes_announcement) {
    in.inc(FrameIn::attributes_announcement);
    handle_attributes(c, *env.attributes_announcement);
  }
  if (env.rename) {
    in.inc(FrameIn::rename);
    handle_rename(c, *env.rename);
  }
  if (env.sdp_offer) {
    in.inc(FrameIn::sdp_offer);
    handle_sdp(c, *env.sdp_offer);
  }
  if (env.ice_offer) {
    in.inc(FrameIn::ice_offer);
    handle_ice(c, *env.ice_offer);
  }
}

std::string SignallingService::default_name_for(const Connection& c) const {
  return c.identity.authentication != Authentication::none ? c.identity.username : c.default_name;
}

std::optional<std::string> SignallingService::normalise_name(const Connection& c, std::string_view requested) const {
  const auto trimmed = trim_unicode_space(requested);
  if (trimmed.empty()) return default_name_for(c);
  if (!is_valid_node_name(trimmed)) return std::nullopt;
  return std::string(trimmed);
}

std::optional<std::string> SignallingService::name_not_reserved(Connection& c, const std::string& wanted) {
  try {
    return avoid_reserved(wanted, c.identity.username, reserved_);
  } catch (const NamesUnavailable&) {
    // Taking the name unchecked could hand a bot's or a user's name to anyone: close instead
    // (1011); the client may come back once the accounts answer again.
    spdlog::warn("closing {}: reserved names unavailable", c.node_id);
    c.sink->close(CloseCode::internal, "accounts unavailable");
    return std::nullopt;
  }
}

void SignallingService::handle_register(Connection& c, const proto::RegisterPayload& p) {
  if (!limits_.allow_anonymous && c.identity.authentication == Authentication::none) {
    send_error(c, "unauthorized", "anonymous connections are disabled", std::string("register"));
    c.sink->close(CloseCode::policy, "unauthorized");
    return;
  }
  if (!take_presence_token(c, "register")) return;
  auto name = normalise_name(c, p.node_name);
  if (!name) {
    // Registration still succeeds, so original clients never get stuck (§2.8 step 1.3).
    fail(c, "bad_field", "invalid node name; the default name is used", std::string("register.node_name"));
    name = default_name_for(c);
  }
  auto chosen = name_not_reserved(c, *name);
  if (!chosen) return;
  c.name = std::move(*chosen);
  c.registered_at = clock_.unix_s();
  if (!c.registered) {
    registry_.mark_registered(c);
    router_.attach(c.node_id, *c.sink);
  }
  presence_.announce(c);
  metrics_.registrations.inc();
  c.sink->reply(make_frame(proto::encode_register_reply(c.node_id, c.name, tickets_ ? tickets_->issue(c.node_id) : "")));
}

std::optional<std::string> SignallingService::registered_node_of(std::string_view ticket) {
  if (!tickets_) return std::nullopt;
  auto node = tickets_->node_of(ticket);
  if (!node) return std::nullopt;
  const Connection* c = registry_.find(*node);
  if (!c || !c->registered) return std::nullopt;
  return node;
}

void SignallingService::handle_echo(Connection& c, const proto::EchoPayload& p) {
  if (p.direction != "ping") return;  // [compat] other directions are ignored silently
  const char* bad = nullptr;
  if (p.server_timestamp < 0 || p.server_timestamp > kMaxSafeInteger) bad = "echo.server_timestamp";
  else if (p.timestamp < 0 || p.timestamp > kMaxSafeInteger) bad = "echo.timestamp";
  else if (p.seq_id < 0 || p.seq_id > kMaxSafeInteger) bad = "echo.seq_id";
  else if (utf8_length(p.correlation_id) > kMaxCorrelationId) bad = "echo.correlation_id";
  if (bad) return fail(c, "bad_field", "echo value out of range", std::string(bad));
  c.last_heartbeat = clock_.unix_s();
  c.sink->reply(make_frame(proto::encode_pong(c.node_id, p, clock_.unix_ms())));
}

bool SignallingService::require_registered(Connection& c, const char* ref) {
  if (c.registered) return true;
  fail(c, "not_registered", "register first", std::string(ref));
  return false;
}

void SignallingService::handle_attributes(Connection& c, const proto::AttributesAnnouncement& p) {
  if (!require_registered(c, "attributes_announcement")) return;
  proto::AttributeList next = c.attributes;
  if (p.withdrawals)
    for (const auto& key : *p.withdrawals)
      std::erase_if(next, [&](const auto& kv) { return kv.first == key; });
  if (p.attributes) {
    for (const auto& [key, value] : *p.attributes) {
      const std::string ref = "attributes_announcement.attributes." + key;
      if (!is_attribute_key(key)) return fail(c, "bad_field", "attribute key must be 1-64 of [A-Za-z0-9_.-]", ref);
      if (value.size() > kMaxAttributeValueBytes) return fail(c, "bad_field", "attribute value over 256 bytes", ref);
      set_attribute(next, key, value);
    }
  }
  if (next.size() > limits_.max_attributes)
    return fail(c, "bad_field", "at most 32 attributes", std::string("attributes_announcement.attributes"));
  std::size_t bytes = 0;
  for (const auto& [key, value] : next) bytes += key.size() + value.size();
  if (bytes > limits_.max_attribute_bytes)
    return fail(c, "bad_field", "attributes over " + std::to_string(limits_.max_attribute_bytes) + " bytes in total",
                std::string("attributes_announcement.attributes"));
  c.attributes = std::move(next);
}

void SignallingService::handle_rename(Connection& c, const proto::RenamePayload& p) {
  if (!require_registered(c, "rename")) return;
  const auto& pref = p.new_preference;
  std::optional<std::string> requested;
  if (pref.name) {
    requested = normalise_name(c, *pref.name);
    if (!requested) return fail(c, "bad_field", "invalid node name", std::string("rename.new_preference.name"));
  }
  if (pref.index_of_prefer_color && (*pref.index_of_prefer_color < 0 || *pref.index_of_prefer_color > 9))
    return fail(c, "bad_field", "indexOfPreferColor must be 0-9",
                std::string("rename.new_preference.indexOfPreferColor"));
  if (!take_presence_token(c, "rename")) return;

  const std::string origin = c.name;
  if (requested) {
    auto chosen = name_not_reserved(c, *requested);
    if (!chosen) return;
    c.name = std::move(*chosen);
  }
  if (pref.index_of_prefer_color) set_attribute(c.attributes, "preferred_color", std::to_string(*pref.index_of_prefer_color));
  presence_.update(c, pref.index_of_prefer_color, origin);
}

bool SignallingService::check_relay_target(Connection& c, const std::string& to, const char* ref) {
  if (to == c.node_id) {
    metrics_.relay_errors.inc(RelayError::bad_field);
    fail(c, "bad_field", "cannot relay to yourself", std::string(ref));
    return false;
  }
  return true;
}

void SignallingService::handle_sdp(Connection& c, const proto::SdpOffer& p) {
  if (!require_registered(c, "sdp_offer")) return metrics_.relay_errors.inc(RelayError::not_registered);
  if (p.type != "offer" && p.type != "answer") {
    metrics_.relay_errors.inc(RelayError::bad_field);
    return fail(c, "bad_field", "type must be offer or answer", std::string("sdp_offer.type"));
  }
  if (!check_relay_target(c, p.to_node_id, "sdp_offer.to_node_id")) return;
  router_.deliver(p.to_node_id, make_frame(proto::encode_sdp_relay(p, c.node_id)), {c.node_id, "sdp_offer.to_node_id"},
                  *this);
}

void SignallingService::handle_ice(Connection& c, const proto::IceOffer& p) {
  if (!require_registered(c, "ice_offer")) return metrics_.relay_errors.inc(RelayError::not_registered);
  if (!check_relay_target(c, p.to_node_id, "ice_offer.to_node_id")) return;
  router_.deliver(p.to_node_id, make_frame(proto::encode_ice_relay(p, c.node_id)), {c.node_id, "ice_offer.to_node_id"},
                  *this);
}

void SignallingService::on_unknown_peer(const std::string& from_node_id, const char* ref) {
  metrics_.relay_errors.inc(RelayError::unknown_peer);
  // The sender may have left while a remote router looked the target up.
  if (auto* c = registry_.find(from_node_id))
    fail(*c, "unknown_peer", "no registered peer with that node id", std::string(ref));
}

}  // namespace parley::signalling
