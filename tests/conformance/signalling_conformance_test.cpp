// PROTOCOL.md §2 against the real server binary, over real WebSockets.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

class Signalling : public ::testing::Test {
protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* Signalling::server_ = nullptr;

std::string str(const json::value& v) { return std::string(v.as_string()); }
json::object conns_of(std::uint16_t port) { return json::parse(http_request(port, "GET", "/conns").body).as_object(); }
std::string error_code(const json::object& f) { return str(f.at("error").at("code")); }
json::value error_ref(const json::object& f) { return f.at("error").at("ref"); }

}  // namespace

TEST_F(Signalling, ExampleSequenceOfSection2_12) {
  auto bob = WsClient::connect(port());
  const auto b = bob->register_as("echo_bot");
  auto alice = WsClient::connect(port(), "/api/ws");
  alice->send(R"({"register":{"node_name":""},"attributes_announcement":{"attributes":{"support_attachment":"true","negotiation":"perfect"}}})");
  // online to everybody (the registrant included) before the reply
  auto online = alice->next();
  ASSERT_TRUE(online);
  ASSERT_TRUE(online->contains("online"));
  const auto a = str(online->at("online").at("node_id"));
  auto reply = alice->next();
  ASSERT_TRUE(reply);
  EXPECT_EQ(str(reply->at("node_id")), a);
  EXPECT_TRUE(str(reply->at("register").at("node_name")).rfind("user", 0) == 0);
  auto bob_online = bob->next_with_key("online");
  ASSERT_TRUE(bob_online);
  EXPECT_EQ(str(bob_online->at("online").at("node_id")), a);

  // /api/conns lists both, with attributes
  auto conns = json::parse(http_request(port(), "GET", "/api/conns").body).as_object();
  ASSERT_TRUE(conns.contains(a));
  ASSERT_TRUE(conns.contains(b));
  EXPECT_EQ(str(conns.at(b).at("node_name")), "echo_bot");
  EXPECT_EQ(str(conns.at(a).at("attributes").at("negotiation")), "perfect");

  // offer, candidates, answer
  alice->send(R"({"sdp_offer":{"type":"offer","offer_json":"{\"type\":\"offer\",\"sdp\":\"v=0\"}","from_node_id":")" + a +
              R"(","to_node_id":")" + b + R"("}})");
  alice->send(R"({"ice_offer":{"offer_json":"{\"candidate\":\"candidate:1\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}","from_node_id":")" +
              a + R"(","to_node_id":")" + b + R"("}})");
  auto offer = bob->next_with_key("sdp_offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ(str(offer->at("sdp_offer").at("type")), "offer");
  EXPECT_EQ(str(offer->at("sdp_offer").at("from_node_id")), a);
  auto cand = bob->next_with_key("ice_offer");
  ASSERT_TRUE(cand);
  EXPECT_EQ(str(cand->at("ice_offer").at("offer_json")), R"({"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0})");
  bob->send(R"({"sdp_offer":{"type":"answer","offer_json":"{}","from_node_id":")" + b + R"(","to_node_id":")" + a + R"("}})");
  auto answer = alice->next_with_key("sdp_offer");
  ASSERT_TRUE(answer);
  EXPECT_EQ(str(answer->at("sdp_offer").at("type")), "answer");

  // echo
  alice->send(R"({"echo":{"direction":"ping","correlation_id":"c1","server_timestamp":0,"timestamp":1735689600000,"seq_id":7}})");
  auto pong = alice->next_with_key("echo");
  ASSERT_TRUE(pong);
  EXPECT_EQ(str(pong->at("node_id")), a);
  EXPECT_EQ(str(pong->at("echo").at("direction")), "pong");
  EXPECT_EQ(pong->at("echo").at("seq_id").as_int64(), 7);
  EXPECT_GT(pong->at("echo").at("server_timestamp").as_int64(), 1735689600000);

  // Alice leaves: Bob gets offline
  alice->close();
  auto offline = bob->next_with_key("offline");
  ASSERT_TRUE(offline);
  EXPECT_EQ(str(offline->at("offline").at("node_id")), a);
  EXPECT_FALSE(json::parse(http_request(port(), "GET", "/conns").body).as_object().contains(a));
}

TEST_F(Signalling, SpoofedFromNodeIdIsReplacedAndExtraFieldsAreNotRelayed) {
  auto a = WsClient::connect(port());
  auto b = WsClient::connect(port());
  const auto ida = a->register_as("a");
  const auto idb = b->register_as("b");
  a->send(R"({"node_id":")" + idb + R"(","register":{"node_name":"a"},"sdp_offer":{"type":"offer","offer_json":"x","from_node_id":")" + idb +
          R"(","to_node_id":")" + idb + R"(","hijack":1}})");
  auto f = b->next_with_key("sdp_offer");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 1u) << json::serialize(*f);
  EXPECT_EQ(str(f->at("sdp_offer").at("from_node_id")), ida);
  EXPECT_FALSE(f->at("sdp_offer").as_object().contains("hijack"));
}

TEST_F(Signalling, DefaultNamesAreUserNNNN) {
  auto a = WsClient::connect(port());
  a->send(R"({"register":{"node_name":"   "}})");
  auto reply = a->next_with_key("register");
  ASSERT_TRUE(reply);
  const auto name = str(reply->at("register").at("node_name"));
  EXPECT_EQ(name.size(), 8u);
  EXPECT_EQ(name.substr(0, 4), "user");
}

TEST_F(Signalling, InvalidNameGetsDefaultAndAnError) {
  auto a = WsClient::connect(port());
  a->send("{\"register\":{\"node_name\":\"evil\\u202Egnp\"}}");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "bad_field");
  EXPECT_EQ(str(error_ref(*err)), "register.node_name");
  auto reply = a->next_with_key("register");
  ASSERT_TRUE(reply);
  EXPECT_EQ(str(reply->at("register").at("node_name")).substr(0, 4), "user");
}

TEST_F(Signalling, RenameBeforeRegisterIsRefusedAndServerKeepsServing) {
  auto a = WsClient::connect(port());
  a->send(R"({"rename":{"new_preference":{"name":"x"},"origin_node_name":"y"}})");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "not_registered");
  EXPECT_EQ(str(error_ref(*err)), "rename");
  a->register_as("after");
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}

TEST_F(Signalling, RenameIsBroadcastToEveryoneWithOriginName) {
  auto a = WsClient::connect(port());
  auto b = WsClient::connect(port());
  const auto ida = a->register_as("before");
  b->register_as("watcher");
  a->send(R"({"rename":{"new_preference":{"name":"after","indexOfPreferColor":4},"origin_node_name":"ignored"}})");
  for (auto* c : {a.get(), b.get()}) {
    auto r = c->next_matching([&](const json::object& o) {
      return o.contains("rename") && str(o.at("rename").at("node_id")) == ida;
    });
    ASSERT_TRUE(r);
    EXPECT_EQ(str(r->at("rename").at("origin_node_name")), "before");
    EXPECT_EQ(str(r->at("rename").at("new_preference").at("name")), "after");
    EXPECT_EQ(r->at("rename").at("new_preference").at("indexOfPreferColor").as_int64(), 4);
    EXPECT_FALSE(r->contains("node_id"));
  }
  auto conns = json::parse(http_request(port(), "GET", "/conns").body).as_object();
  EXPECT_EQ(str(conns.at(ida).at("node_name")), "after");
  EXPECT_EQ(str(conns.at(ida).at("attributes").at("preferred_color")), "4");
}

TEST_F(Signalling, UnknownTargetGetsUnknownPeer) {
  auto a = WsClient::connect(port());
  a->register_as("lonely");
  a->send(R"({"ice_offer":{"offer_json":"{}","to_node_id":"00000000-0000-4000-8000-000000000000"}})");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "unknown_peer");
  EXPECT_EQ(str(error_ref(*err)), "ice_offer.to_node_id");
}

TEST_F(Signalling, UnregisteredTargetIsUnknown) {
  auto a = WsClient::connect(port());
  auto b = WsClient::connect(port());
  a->register_as("a");
  b->send(R"({"echo":{"direction":"ping"}})");
  const auto idb = str(b->next_with_key("echo")->at("node_id"));
  a->send(R"({"sdp_offer":{"type":"offer","offer_json":"{}","to_node_id":")" + idb + R"("}})");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "unknown_peer");
}

TEST_F(Signalling, MalformedJsonIsBadJsonAndConnectionStays) {
  auto a = WsClient::connect(port());
  for (const char* text : {"{", "[1,2]", "null", "\"str\"", "{\"a\":1}{"}) {
    a->send(text);
    auto err = a->next_with_key("error");
    ASSERT_TRUE(err) << text;
    EXPECT_EQ(error_code(*err), "bad_json") << text;
    EXPECT_TRUE(error_ref(*err).is_null());
  }
  a->register_as("still-here");
}

TEST_F(Signalling, WrongFieldTypesAreBadFieldWithDottedPath) {
  auto a = WsClient::connect(port());
  a->register_as("typed");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"register":{"node_name":42}})", "register.node_name"},
      {R"({"echo":{"seq_id":"1"}})", "echo.seq_id"},
      {R"({"attributes_announcement":{"attributes":{"k":1}}})", "attributes_announcement.attributes.k"},
      {R"({"rename":{"new_preference":{"indexOfPreferColor":"3"}}})", "rename.new_preference.indexOfPreferColor"},
      {R"({"sdp_offer":{"offer_json":{}}})", "sdp_offer.offer_json"},
      {R"({"ice_offer":"x"})", "ice_offer"},
  };
  for (const auto& [text, ref] : cases) {
    a->send(text);
    auto err = a->next_with_key("error");
    ASSERT_TRUE(err) << text;
    EXPECT_EQ(error_code(*err), "bad_field") << text;
    EXPECT_EQ(str(error_ref(*err)), ref);
  }
}

TEST_F(Signalling, BinaryFrameIsBadJson) {
  auto a = WsClient::connect(port());
  a->send_binary(std::string("\x00\x01\x02", 3));
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "bad_json");
}

TEST_F(Signalling, FrameOver64KiBIsTooLargeButConnectionStays) {
  auto a = WsClient::connect(port());
  a->send(R"({"register":{"node_name":")" + std::string(70000, 'x') + R"("}})");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_code(*err), "too_large");
  a->register_as("fine");
  EXPECT_TRUE(a->is_open());
}

TEST_F(Signalling, OneMebibyteFrameClosesWith1009) {
  auto a = WsClient::connect(port());
  a->send(std::string(1024 * 1024 + 10, 'x'));
  auto code = a->wait_closed();
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1009);
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}

TEST_F(Signalling, FloodIsRateLimitedThenServedAgain) {
  auto a = WsClient::connect(port());
  const std::string ping = R"({"echo":{"direction":"ping","correlation_id":"f"}})";
  for (int i = 0; i < 230; ++i) a->send(ping);
  auto frames = a->drain(500ms);
  int pongs = 0, limited = 0;
  for (const auto& f : frames) {
    if (f.contains("echo")) ++pongs;
    if (f.contains("error") && error_code(f) == "rate_limited") ++limited;
  }
  EXPECT_GE(pongs, 200);
  EXPECT_LT(pongs, 230);
  EXPECT_EQ(limited, 1);  // at most one rate_limited error per second
  std::this_thread::sleep_for(1100ms);
  a->send(ping);
  auto pong = a->next_with_key("echo");
  ASSERT_TRUE(pong);
  EXPECT_TRUE(a->is_open());
}

TEST_F(Signalling, AbuseClosesWith1008) {
  auto a = WsClient::connect(port());
  for (int i = 0; i < 40; ++i) a->send("not json");
  auto code = a->wait_closed();
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1008);
}

TEST_F(Signalling, WebSocketPingIsAnsweredAndClosingHandshakeWorks) {
  auto a = WsClient::connect(port());
  a->register_as("polite");
  a->close();  // Beast waits for the server's close frame; an error would show as a hang/timeout
  SUCCEED();
}

TEST_F(Signalling, EchoWithOtherDirectionIsIgnored) {
  auto a = WsClient::connect(port());
  a->send(R"({"echo":{"direction":"pong","correlation_id":"x"}})");
  EXPECT_TRUE(a->drain(300ms).empty());
}

TEST_F(Signalling, AttributesAreVisibleInConnsAndNotBroadcast) {
  auto a = WsClient::connect(port());
  auto b = WsClient::connect(port());
  const auto ida = a->register_as("attr");
  b->register_as("other");
  a->drain(100ms);
  a->send(R"({"attributes_announcement":{"attributes":{"support_attachment":"true","preferred_color":"2"}}})");
  a->send(R"({"attributes_announcement":{"withdrawals":["support_attachment"]}})");
  EXPECT_TRUE(b->drain(300ms).empty());
  auto conns = json::parse(http_request(port(), "GET", "/conns").body).as_object();
  const auto& attrs = conns.at(ida).at("attributes").as_object();
  EXPECT_EQ(attrs.size(), 1u);
  EXPECT_EQ(str(attrs.at("preferred_color")), "2");
}

TEST_F(Signalling, ClientThatNeverReadsDelaysNobody) {
  // A peer with a tiny receive buffer registers and then stops reading; someone floods it with
  // large offers. 200 other clients register and relay to each other meanwhile.
  RawWsClient stuck(port(), 4096);
  stuck.send_text(R"({"register":{"node_name":"stuck"}})");
  std::this_thread::sleep_for(100ms);
  std::string stuck_id;
  const auto conns = conns_of(port());
  for (const auto& [id, entry] : conns)
    if (entry.at("node_name") == "stuck") stuck_id = std::string(id);
  ASSERT_FALSE(stuck_id.empty());

  auto flooder = WsClient::connect(port());
  flooder->register_as("flooder");
  const std::string big(60000, 'o');
  // 150 × 60 kB: more than loopback's autotuned socket buffers (~4 MB) plus the 1 MiB queue.
  for (int i = 0; i < 150; ++i)
    flooder->send(R"({"sdp_offer":{"type":"offer","offer_json":")" + big + R"(","to_node_id":")" + stuck_id + R"("}})");

  constexpr int kClients = 200;
  std::vector<std::unique_ptr<WsClient>> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(WsClient::connect(port()));
    ids.push_back(clients.back()->register_as("c" + std::to_string(i)));
  }
  for (int i = 0; i < kClients; ++i)
    clients[i]->send(R"({"ice_offer":{"offer_json":"from )" + std::to_string(i) + R"(","to_node_id":")" +
                     ids[(i + 1) % kClients] + R"("}})");
  int received = 0;
  for (int i = 0; i < kClients; ++i) {
    auto f = clients[(i + 1) % kClients]->next_with_key("ice_offer", 5s);
    if (f && str(f->at("ice_offer").at("from_node_id")) == ids[i]) ++received;
  }
  EXPECT_EQ(received, kClients);
  // The stuck client's queue overflowed: the server dropped it, and says so to the others.
  EXPECT_FALSE(stuck.read_until_closed(5s)) << "the server should have closed the stuck connection";
  EXPECT_FALSE(json::parse(http_request(port(), "GET", "/conns").body).as_object().contains(stuck_id));
}

TEST_F(Signalling, FragmentedAndInterleavedFramesAreReassembled) {
  RawWsClient raw(port(), 65536);
  raw.send_raw(masked_frame(0x1, R"({"register":{"node)", false));
  raw.send_raw(masked_frame(0x9, "ping-in-the-middle"));
  raw.send_raw(masked_frame(0x0, R"(_name":"fragmented"}})", true));
  std::this_thread::sleep_for(200ms);
  bool found = false;
  const auto conns = conns_of(port());
  for (const auto& [id, entry] : conns)
    if (entry.at("node_name") == "fragmented") found = true;
  EXPECT_TRUE(found);
}

TEST_F(Signalling, UnmaskedClientFrameIsAProtocolError) {
  RawWsClient raw(port(), 65536);
  raw.send_raw(std::string("\x81\x02{}", 4));  // mask bit missing
  EXPECT_FALSE(raw.read_until_closed(3s));
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}
