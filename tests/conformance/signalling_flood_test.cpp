// Floods that once took the server down (issue 12, F1 and F2): WebSocket ping floods, and
// presence bursts that overflowed every other client's send queue. Real server, real sockets.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }

std::string repeated(const std::string& frame, int times) {
  std::string out;
  out.reserve(frame.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out += frame;
  return out;
}

// An honest client still works: it answers a ping (reading past whatever it was sent).
bool answers_ping(WsClient& client) {
  client.send(R"({"echo":{"direction":"ping","correlation_id":"alive"}})");
  auto pong = client.next_with_key("echo", 5s);
  return pong && client.is_open();
}

std::vector<std::unique_ptr<WsClient>> honest_clients(std::uint16_t port, int n) {
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(WsClient::connect(port));
    clients.back()->register_as("honest" + std::to_string(i));
  }
  return clients;
}

}  // namespace

TEST(Flood, WebSocketPingFloodIsRateLimitedThenClosedWith1008) {
  ServerProcess server;
  RawWsClient pinger(server.port(), 1 << 20);
  // 2000 pings in one write: ten times the burst. Each ping spends a frame of the budget.
  pinger.send_raw(repeated(masked_frame(0x9, std::string(125, 'p')), 2000));
  const auto code = pinger.read_close_code(5s);
  ASSERT_TRUE(code) << "a ping flood must be closed for abuse";
  EXPECT_EQ(*code, 1008);
  EXPECT_GE(pinger.text_frames_seen(), 1u) << "the rate_limited error comes first";
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
}

TEST(Flood, PingFloodFromAClientThatNeverReadsKeepsServerMemoryBounded) {
  ServerProcess server;
  auto honest = WsClient::connect(server.port());
  honest->register_as("bystander");
  const long rss_before = server.rss_kib();
  RawWsClient flooder(server.port(), 4096);
  const std::string chunk = repeated(masked_frame(0x9, std::string(125, 'p')), 512);
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < end) flooder.send_raw(chunk);
  const long rss_after = server.rss_kib();
  // Unbounded pongs grew RSS by about 1 GiB in 3 s; bounded, the flood costs a few MiB at most.
  EXPECT_LT(rss_after - rss_before, 64 * 1024) << "RSS grew from " << rss_before << " to " << rss_after << " KiB";
  EXPECT_TRUE(answers_ping(*honest));
}

TEST(Flood, RegisterBurstsFromAnonymousClientsDisconnectNobody) {
  ServerProcess server;
  auto honest = honest_clients(server.port(), 50);
  // 20 anonymous connections, 200 registers each in one write (their whole frame burst).
  std::vector<std::unique_ptr<RawWsClient>> attackers;
  for (int i = 0; i < 20; ++i) {
    attackers.push_back(std::make_unique<RawWsClient>(server.port(), 1 << 20));
    attackers.back()->send_raw(repeated(masked_frame(0x1, R"({"register":{"node_name":"spam"}})"), 200));
  }
  std::this_thread::sleep_for(500ms);
  int alive = 0;
  for (auto& c : honest) alive += answers_ping(*c) ? 1 : 0;
  EXPECT_EQ(alive, 50);
  // Re-registering is rate limited: past the burst, each register is refused, then the
  // connection is closed for abuse.
  const auto code = attackers.front()->read_close_code(5s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1008);
}

TEST(Flood, ReRegisteringIsAnsweredWithRateLimitedOnRegister) {
  ServerProcess server({"--presence-rate-burst", "3"});
  auto a = WsClient::connect(server.port());
  for (int i = 0; i < 5; ++i) a->send(R"({"register":{"node_name":"again"}})");
  int replies = 0, limited = 0;
  for (const auto& f : a->drain(500ms)) {
    if (f.contains("register")) ++replies;
    if (f.contains("error") && f.at("error").at("code") == "rate_limited" && f.at("error").at("ref") == "register")
      ++limited;
  }
  EXPECT_EQ(replies, 3);
  EXPECT_EQ(limited, 2);
  EXPECT_TRUE(a->is_open());
}

TEST(Flood, PresenceIsCoalescedPerViewerAndTheLatestStateWins) {
  // Presence limits lifted, so only coalescing protects the viewers.
  ServerProcess server({"--presence-rate-burst", "100000", "--presence-rate-limit", "100000"});
  auto honest = honest_clients(server.port(), 30);
  std::vector<std::unique_ptr<RawWsClient>> attackers;
  for (int i = 0; i < 20; ++i) {
    attackers.push_back(std::make_unique<RawWsClient>(server.port(), 1 << 20));
    attackers.back()->send_text(R"({"register":{"node_name":"renamer)" + std::to_string(i) + R"("}})");
  }
  std::this_thread::sleep_for(300ms);
  std::map<std::string, int> attacker_of;  // node id -> attacker index
  const auto conns = json::parse(http_request(server.port(), "GET", "/conns").body);
  for (const auto& [id, entry] : conns.as_object()) {
    const auto name = str(entry.at("node_name"));
    if (name.rfind("renamer", 0) == 0) attacker_of[std::string(id)] = std::stoi(name.substr(7));
  }
  ASSERT_EQ(attacker_of.size(), 20u);
  for (auto& c : honest) c->drain(50ms);
  // Each attacker renames itself 150 times and registers 50 times, in one write: 4,000 presence
  // frames for every viewer.
  for (int i = 0; i < 20; ++i) {
    std::string burst;
    const std::string base = "r" + std::to_string(i) + "-";
    for (int n = 0; n < 150; ++n)
      burst += masked_frame(0x1, R"({"rename":{"new_preference":{"name":")" + base + std::to_string(n) + R"("}}})");
    for (int n = 0; n < 50; ++n) burst += masked_frame(0x1, R"({"register":{"node_name":")" + base + R"(149"}})");
    attackers[i]->send_raw(burst);
  }
  std::this_thread::sleep_for(500ms);
  // Every viewer is still connected, got far fewer presence frames than were sent, and the last
  // rename it saw of each attacker carries that attacker's final name.
  for (auto& viewer : honest) {
    std::map<int, std::string> last_name;
    std::size_t presence_frames = 0;
    for (const auto& f : viewer->drain(150ms)) {
      if (f.contains("online")) ++presence_frames;
      if (f.contains("rename")) {
        ++presence_frames;
        const auto& r = f.at("rename").as_object();
        const auto it = attacker_of.find(str(r.at("node_id")));
        if (it != attacker_of.end()) last_name[it->second] = str(r.at("new_preference").at("name"));
      }
    }
    EXPECT_LT(presence_frames, 2000u);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(last_name[i], "r" + std::to_string(i) + "-149");
    EXPECT_TRUE(answers_ping(*viewer));
  }
}

TEST(Flood, AClientBurstingWithinItsBudgetIsAnsweredNotDisconnected) {
  // A bot-sized budget: 1,500 pings in one write get 1,500 pongs, beyond the 1,024-frame bound
  // that applies to frames from others.
  ServerProcess server({"--rate-burst", "3000", "--rate-limit", "1000"});
  RawWsClient bot(server.port(), 1 << 20);
  bot.send_raw(repeated(masked_frame(0x1, R"({"echo":{"direction":"ping","correlation_id":"b"}})"), 1500));
  EXPECT_FALSE(bot.read_close_code(2s)) << "the connection must stay open";
  EXPECT_EQ(bot.text_frames_seen(), 1500u);
}

TEST(Flood, AFlooderThatIgnoresItsCloseFrameIsDroppedAfterAMessageNotReadOnForSeconds) {
  // Closed for abuse, it keeps writing at line rate. The server used to read and unmask all of it
  // until the 5 s close timeout (18 GB on loopback); now it ends the connection once more than
  // a message's worth (1 MiB) arrives after its close frame.
  ServerProcess server({"--metrics", "true"});
  RawWsClient flooder(server.port(), 1 << 20);
  flooder.send_text(R"({"register":{"node_name":"flooder"}})");
  const std::string chunk = repeated(masked_frame(0x1, R"({"echo":{"direction":"ping","correlation_id":"f"}})"), 4096);
  std::size_t written = 0;
  while (written < (1u << 30) && flooder.send_raw(chunk)) written += chunk.size();
  // What its socket buffers and the server's receive window take, not gigabytes.
  EXPECT_LT(written, 128u << 20) << "the server kept reading a connection it had closed";
  const auto text = http_request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(text.find("\nparley_connections_dropped_total{reason=\"close_ignored\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nparley_abuse_closes_total 1\n"), std::string::npos);
}
