// The signalling logic of §2.8 driven through recording sinks and a manual clock.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "signalling/routing/local_presence.hpp"
#include "signalling/routing/local_router.hpp"
#include "signalling/signalling_service.hpp"

namespace json = boost::json;
using namespace parley::signalling;

namespace {

struct ManualClock final : Clock {
  std::int64_t ms = 1'735'689'600'000;
  std::int64_t unix_ms() const override { return ms; }
  std::int64_t steady_ms() const override { return ms; }
};

struct RecordingSink final : FrameSink {
  std::vector<json::object> frames;
  std::optional<CloseCode> closed;
  void send(SharedFrame f) override { frames.push_back(json::parse(*f).as_object()); }
  void close(CloseCode code, std::string_view) override { closed = code; }
  std::vector<json::object> take() { return std::exchange(frames, {}); }
};

struct Fixture : ::testing::Test {
  ManualClock clock;
  LocalRouter router;
  EveryoneSeesEveryone everyone;
  LocalPresence presence{everyone};
  NoReservedNames reserved;
  SignallingService service{router, presence, reserved, clock, SignallingLimits{}};

  Connection& connect(RecordingSink& sink, Identity id = {}) { return service.open(sink, std::move(id)); }
  Connection& registered(RecordingSink& sink, const std::string& name) {
    auto& c = connect(sink);
    service.on_text(c, R"({"register":{"node_name":")" + name + R"("}})");
    sink.take();
    return c;
  }
};

std::string error_code(const json::object& f) { return std::string(f.at("error").at("code").as_string()); }

}  // namespace

TEST_F(Fixture, RegisterBroadcastsOnlineThenReplies) {
  RecordingSink a, b;
  auto& ca = registered(a, "alice");
  auto& cb = connect(b);
  service.on_text(cb, R"({"register":{"node_name":"  bob "}})");
  ASSERT_EQ(b.frames.size(), 2u);
  EXPECT_EQ(b.frames[0].at("online").at("node_id"), json::value(cb.node_id));
  EXPECT_EQ(b.frames[1].at("node_id"), json::value(cb.node_id));
  EXPECT_EQ(b.frames[1].at("register").at("node_name"), "bob");
  ASSERT_EQ(a.frames.size(), 1u);
  EXPECT_EQ(a.frames[0].at("online").at("node_id"), json::value(cb.node_id));
  EXPECT_NE(ca.node_id, cb.node_id);
}

TEST_F(Fixture, EmptyNameGetsDefaultAndAuthenticatedGetsUsername) {
  RecordingSink a, b;
  auto& ca = connect(a);
  service.on_text(ca, R"({"register":{"node_name":""}})");
  EXPECT_EQ(a.frames.back().at("register").at("node_name"), "user0000");
  auto& cb = connect(b, Identity{Authentication::jwt, "u1", "echo_bot", true});
  service.on_text(cb, R"({"register":{"node_name":""}})");
  EXPECT_EQ(b.frames.back().at("register").at("node_name"), "echo_bot");
}

TEST_F(Fixture, InvalidNameFallsBackToDefaultWithError) {
  RecordingSink a;
  auto& c = connect(a);
  service.on_text(c, "{\"register\":{\"node_name\":\"bad\\u0000name\"}}");
  ASSERT_EQ(a.frames.size(), 3u);
  EXPECT_EQ(error_code(a.frames[0]), "bad_field");
  EXPECT_EQ(a.frames[0].at("error").at("ref"), "register.node_name");
  EXPECT_EQ(a.frames[2].at("register").at("node_name"), "user0000");
}

TEST_F(Fixture, EchoPongCarriesNodeIdAndServerTime) {
  RecordingSink a;
  auto& c = connect(a);
  service.on_text(c, R"({"echo":{"direction":"ping","correlation_id":"c1","server_timestamp":0,"timestamp":5,"seq_id":7}})");
  ASSERT_EQ(a.frames.size(), 1u);
  const auto& echo = a.frames[0].at("echo").as_object();
  EXPECT_EQ(a.frames[0].at("node_id"), json::value(c.node_id));
  EXPECT_EQ(echo.at("direction"), "pong");
  EXPECT_EQ(echo.at("server_timestamp"), clock.ms);
  EXPECT_EQ(echo.at("seq_id"), 7);
  EXPECT_EQ(echo.at("timestamp"), 5);
}

TEST_F(Fixture, EchoOutOfRangeIsBadField) {
  RecordingSink a;
  auto& c = connect(a);
  service.on_text(c, R"({"echo":{"direction":"ping","seq_id":-1}})");
  EXPECT_EQ(a.frames.at(0).at("error").at("ref"), "echo.seq_id");
  service.on_text(c, R"({"echo":{"direction":"ping","timestamp":9007199254740992}})");
  EXPECT_EQ(a.frames.at(1).at("error").at("ref"), "echo.timestamp");
}

TEST_F(Fixture, StepsBeforeRegisterFailWithNotRegistered) {
  RecordingSink a;
  auto& c = connect(a);
  service.on_text(c, R"({"rename":{"new_preference":{"name":"x"}}})");
  service.on_text(c, R"({"sdp_offer":{"type":"offer","offer_json":"{}","to_node_id":"x"}})");
  ASSERT_EQ(a.frames.size(), 2u);
  EXPECT_EQ(error_code(a.frames[0]), "not_registered");
  EXPECT_EQ(a.frames[1].at("error").at("ref"), "sdp_offer");
}

TEST_F(Fixture, RelayStampsSenderAndDropsOtherFields) {
  RecordingSink a, b;
  auto& ca = registered(a, "alice");
  auto& cb = registered(b, "bob");
  a.take();
  service.on_text(ca, R"({"node_id":"evil","sdp_offer":{"type":"offer","offer_json":"{\"sdp\":\"x\"}","from_node_id":"spoof","to_node_id":")" +
                          cb.node_id + R"(","extra":1},"ice_offer":{"offer_json":"c","to_node_id":")" + cb.node_id + R"("}})");
  ASSERT_EQ(b.frames.size(), 2u);
  EXPECT_EQ(b.frames[0].size(), 1u);
  EXPECT_EQ(b.frames[0].at("sdp_offer").at("from_node_id"), json::value(ca.node_id));
  EXPECT_EQ(b.frames[0].at("sdp_offer").as_object().size(), 4u);
  EXPECT_EQ(b.frames[1].at("ice_offer").at("from_node_id"), json::value(ca.node_id));
  EXPECT_TRUE(a.frames.empty());
}

TEST_F(Fixture, RelayToUnknownOrSelfIsRefused) {
  RecordingSink a;
  auto& ca = registered(a, "alice");
  service.on_text(ca, R"({"ice_offer":{"offer_json":"c","to_node_id":"nobody"}})");
  service.on_text(ca, R"({"ice_offer":{"offer_json":"c","to_node_id":")" + ca.node_id + R"("}})");
  service.on_text(ca, R"({"sdp_offer":{"type":"pranswer","offer_json":"c","to_node_id":"nobody"}})");
  ASSERT_EQ(a.frames.size(), 3u);
  EXPECT_EQ(error_code(a.frames[0]), "unknown_peer");
  EXPECT_EQ(a.frames[0].at("error").at("ref"), "ice_offer.to_node_id");
  EXPECT_EQ(error_code(a.frames[1]), "bad_field");
  EXPECT_EQ(a.frames[2].at("error").at("ref"), "sdp_offer.type");
}

TEST_F(Fixture, RenameBroadcastsToEveryoneWithOriginAndColour) {
  RecordingSink a, b;
  auto& ca = registered(a, "alice");
  registered(b, "bob");
  a.take();
  service.on_text(ca, R"({"rename":{"new_preference":{"name":"carol","indexOfPreferColor":4},"origin_node_name":"lie"}})");
  for (auto* sink : {&a, &b}) {
    ASSERT_EQ(sink->frames.size(), 1u);
    const auto& r = sink->frames[0].at("rename").as_object();
    EXPECT_EQ(r.at("origin_node_name"), "alice");
    EXPECT_EQ(r.at("new_preference").at("name"), "carol");
    EXPECT_EQ(r.at("new_preference").at("indexOfPreferColor"), 4);
    EXPECT_EQ(r.at("node_id"), json::value(ca.node_id));
  }
  ASSERT_EQ(ca.attributes.size(), 1u);
  EXPECT_EQ(ca.attributes[0].second, "4");
}

TEST_F(Fixture, RenameWithoutNameKeepsNameAndBadColourIsRejected) {
  RecordingSink a;
  auto& ca = registered(a, "alice");
  service.on_text(ca, R"({"rename":{"new_preference":{"indexOfPreferColor":2}}})");
  EXPECT_EQ(a.frames.at(0).at("rename").at("new_preference").at("name"), "alice");
  service.on_text(ca, R"({"rename":{"new_preference":{"name":"x","indexOfPreferColor":10}}})");
  EXPECT_EQ(error_code(a.frames.at(1)), "bad_field");
  EXPECT_EQ(ca.name, "alice");
}

TEST_F(Fixture, AttributesFollowTheUpdateRuleAndLimits) {
  RecordingSink a;
  auto& ca = registered(a, "alice");
  service.on_text(ca, R"({"attributes_announcement":{"attributes":{"a":"1","b":"2"}}})");
  service.on_text(ca, R"({"attributes_announcement":{"attributes":{"a":"3"},"withdrawals":["a","b"]}})");
  ASSERT_EQ(ca.attributes.size(), 1u);
  EXPECT_EQ(ca.attributes[0], (std::pair<std::string, std::string>{"a", "3"}));
  service.on_text(ca, R"({"attributes_announcement":{"attributes":{"bad key":"1"}}})");
  service.on_text(ca, R"({"attributes_announcement":{"attributes":{"k":")" + std::string(257, 'v') + R"("}}})");
  ASSERT_EQ(a.frames.size(), 2u);
  EXPECT_EQ(a.frames[0].at("error").at("ref"), "attributes_announcement.attributes.bad key");
  EXPECT_EQ(ca.attributes.size(), 1u);
  std::string many = R"({"attributes_announcement":{"attributes":{)";
  for (int i = 0; i < 33; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  service.on_text(ca, many + "}}}");
  EXPECT_EQ(a.frames.back().at("error").at("ref"), "attributes_announcement.attributes");
}

TEST_F(Fixture, CloseBroadcastsOfflineToOthers) {
  RecordingSink a, b;
  auto& ca = registered(a, "alice");
  registered(b, "bob");
  const auto id = ca.node_id;
  service.close(ca);
  ASSERT_EQ(b.frames.size(), 1u);
  EXPECT_EQ(b.frames[0].at("offline").at("node_id"), json::value(id));
  EXPECT_EQ(service.registry().size(), 1u);
}

TEST_F(Fixture, UnregisteredCloseIsSilent) {
  RecordingSink a, b;
  registered(b, "bob");
  auto& ca = connect(a);
  service.close(ca);
  EXPECT_TRUE(b.frames.empty());
}

TEST_F(Fixture, RateLimitThenServedAgain) {
  RecordingSink a;
  auto& c = connect(a);
  const std::string ping = R"({"echo":{"direction":"ping","correlation_id":"x"}})";
  for (int i = 0; i < 200; ++i) service.on_text(c, ping);
  EXPECT_EQ(a.take().size(), 200u);
  service.on_text(c, ping);
  service.on_text(c, ping);
  auto limited = a.take();
  ASSERT_EQ(limited.size(), 1u);  // one rate_limited error per second at most
  EXPECT_EQ(error_code(limited[0]), "rate_limited");
  clock.ms += 1000;  // refills 20 tokens
  service.on_text(c, ping);
  ASSERT_EQ(a.frames.size(), 1u);
  EXPECT_EQ(a.frames[0].at("echo").at("direction"), "pong");
  EXPECT_FALSE(a.closed);
}

TEST_F(Fixture, MoreThanThirtyErrorsInTenSecondsCloses) {
  RecordingSink a;
  auto& c = connect(a);
  for (int i = 0; i < 30; ++i) service.on_text(c, "not json");
  EXPECT_FALSE(a.closed);
  service.on_text(c, "not json");
  ASSERT_TRUE(a.closed);
  EXPECT_EQ(*a.closed, CloseCode::policy);
}

TEST_F(Fixture, ErrorsSpreadOverTimeDoNotClose) {
  RecordingSink a;
  auto& c = connect(a);
  for (int i = 0; i < 60; ++i) {
    service.on_text(c, "not json");
    clock.ms += 500;
  }
  EXPECT_FALSE(a.closed);
}

TEST_F(Fixture, UnknownPeerDoesNotCountTowardAbuse) {
  RecordingSink a;
  auto& c = registered(a, "alice");
  for (int i = 0; i < 100; ++i) service.on_text(c, R"({"ice_offer":{"offer_json":"c","to_node_id":"gone"}})");
  EXPECT_FALSE(a.closed);
}

TEST_F(Fixture, IdleTimeoutResetsOnlyOnValidFrames) {
  RecordingSink a;
  auto& c = connect(a);
  clock.ms += 20000;
  service.on_text(c, "garbage");
  clock.ms += 10000;
  EXPECT_TRUE(service.idle_expired(c));
  service.on_text(c, R"({"echo":{"direction":"ping"}})");
  EXPECT_FALSE(service.idle_expired(c));
}

TEST_F(Fixture, AnonymousRegisterRefusedWhenDisabled) {
  SignallingLimits limits;
  limits.allow_anonymous = false;
  SignallingService strict(router, presence, reserved, clock, limits);
  RecordingSink a;
  auto& c = strict.open(a, {});
  strict.on_text(c, R"({"register":{"node_name":"x"}})");
  ASSERT_EQ(a.frames.size(), 1u);
  EXPECT_EQ(error_code(a.frames[0]), "unauthorized");
  EXPECT_EQ(a.closed, CloseCode::policy);
}

struct UnknownPeers final : UnknownPeerHandler {
  std::vector<std::pair<std::string, std::string>> reported;  // (from, ref)
  void on_unknown_peer(const std::string& from, const char* ref) override { reported.emplace_back(from, ref); }
};

TEST(LocalRouter, DeliversByIdAndReportsUnknownTargets) {
  LocalRouter router;
  RecordingSink a, b;
  UnknownPeers unknown;
  router.attach("a", a);
  router.attach("b", b);
  auto frame = make_frame("{\"x\":1}");
  router.deliver("a", frame, {"b", "sdp_offer.to_node_id"}, unknown);
  EXPECT_EQ(a.frames.size(), 1u);
  EXPECT_TRUE(unknown.reported.empty());
  router.deliver("c", frame, {"b", "ice_offer.to_node_id"}, unknown);
  router.detach("b");
  router.deliver("b", frame, {"a", "sdp_offer.to_node_id"}, unknown);
  EXPECT_EQ(b.frames.size(), 0u);
  ASSERT_EQ(unknown.reported.size(), 2u);
  EXPECT_EQ(unknown.reported[0], std::make_pair(std::string("b"), std::string("ice_offer.to_node_id")));
  EXPECT_EQ(unknown.reported[1], std::make_pair(std::string("a"), std::string("sdp_offer.to_node_id")));
}

TEST(LocalPresence, ListsOnlyAnnouncedConnectionsWithPublicFields) {
  EveryoneSeesEveryone everyone;
  LocalPresence presence{everyone};
  Registry registry;
  RecordingSink sink;
  auto c1 = std::make_unique<Connection>();
  c1->node_id = "n1";
  c1->name = "alice";
  c1->connected_at = 10;
  c1->registered_at = 11;
  c1->attributes = {{"preferred_color", "3"}};
  c1->sink = &sink;
  auto& r1 = registry.add(std::move(c1));
  registry.mark_registered(r1);
  presence.announce(r1);
  auto c2 = std::make_unique<Connection>();
  c2->node_id = "n2";
  registry.add(std::move(c2));  // open, never registered
  const auto conns = json::parse(presence.list(Identity{})).as_object();
  ASSERT_EQ(conns.size(), 1u);
  const auto& e = conns.at("n1").as_object();
  EXPECT_EQ(e.at("node_name"), "alice");
  EXPECT_EQ(e.at("authentication"), "none");
  EXPECT_FALSE(e.contains("last_heartbeat"));
  EXPECT_FALSE(e.contains("username"));
  EXPECT_EQ(e.at("attributes").at("preferred_color"), "3");
}

namespace {
struct BrokenReservedNames final : ReservedNames {
  bool broken = false;
  bool reserved_for_other(std::string_view, std::string_view) const override {
    if (broken) throw NamesUnavailable("database disk image is malformed");
    return false;
  }
};
}  // namespace

TEST(SignallingReservedNames, UnreadableReservedNamesCloseInsteadOfHandingOutTheName) {
  ManualClock clock;
  LocalRouter router;
  EveryoneSeesEveryone everyone;
  LocalPresence presence{everyone};
  BrokenReservedNames names;
  SignallingService service{router, presence, names, clock, SignallingLimits{}};
  RecordingSink viewer, renamer, newcomer;
  auto& cv = service.open(viewer, {});
  service.on_text(cv, R"({"register":{"node_name":"viewer"}})");
  auto& cr = service.open(renamer, {});
  service.on_text(cr, R"({"register":{"node_name":"carol"}})");
  viewer.take();
  renamer.take();

  names.broken = true;
  auto& cn = service.open(newcomer, {});
  service.on_text(cn, R"({"register":{"node_name":"echo_bot"}})");
  EXPECT_EQ(newcomer.closed, CloseCode::internal);
  EXPECT_FALSE(cn.registered);
  for (const auto& f : newcomer.frames) EXPECT_FALSE(f.contains("register")) << json::serialize(f);

  service.on_text(cr, R"({"rename":{"new_preference":{"name":"echo_bot"}}})");
  EXPECT_EQ(renamer.closed, CloseCode::internal);
  EXPECT_EQ(cr.name, "carol");
  for (const auto& f : viewer.take()) {
    EXPECT_FALSE(f.contains("online")) << "nobody was announced: " << json::serialize(f);
    EXPECT_FALSE(f.contains("rename")) << json::serialize(f);
  }
}

TEST_F(Fixture, AttributesAreBoundedInTotalBytes) {
  RecordingSink a;
  auto& ca = registered(a, "alice");
  // Four values of 256 bytes (the per-value maximum) with their keys pass 1024 bytes together.
  auto announce = [&](int from, int count) {
    std::string f = R"({"attributes_announcement":{"attributes":{)";
    for (int i = from; i < from + count; ++i)
      f += (i > from ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"" + std::string(250, 'v') + "\"";
    service.on_text(ca, f + "}}}");
  };
  announce(0, 3);  // 3 × 252 bytes
  EXPECT_TRUE(a.take().empty());
  ASSERT_EQ(ca.attributes.size(), 3u);
  announce(3, 2);  // would make 1,260 bytes: the whole announcement is refused
  auto frames = a.take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(error_code(frames[0]), "bad_field");
  EXPECT_EQ(frames[0].at("error").at("ref"), "attributes_announcement.attributes");
  EXPECT_EQ(ca.attributes.size(), 3u) << "unchanged";
  // Replacing values in place stays within the bound.
  announce(0, 3);
  EXPECT_TRUE(a.take().empty());
}
