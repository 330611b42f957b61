// Slow reader and flood together (issue 12, reliability suite): a client that never reads is cut
// off at its send queue bound, a client writing relays at line rate is rate limited and closed
// with 1008, and meanwhile 100 clients relaying in pairs get every frame, in order, and stay
// connected. No timing is asserted; the latencies are bench/slow_reader/run.sh's job.
#include <gtest/gtest.h>

#include <thread>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::string ice_to(const std::string& to, const std::string& text) {
  return R"({"ice_offer":{"offer_json":")" + text + R"(","to_node_id":")" + to + R"("}})";
}

std::string id_named(std::uint16_t port, const std::string& name) {
  const json::value conns = json::parse(http_request(port, "GET", "/conns").body);
  for (const auto& [id, entry] : conns.as_object())
    if (entry.at("node_name").as_string() == name) return std::string(id);
  return "";
}

// The value of one sample of the server's /metrics text (-1 when absent).
double metric(std::uint16_t port, const std::string& sample) {
  const auto text = http_request(port, "GET", "/metrics").body;
  const auto at = text.find("\n" + sample + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + sample.size() + 2));
}

}  // namespace

TEST(SlowReader, IsCutOffAtItsQueueBoundAndAFlooderIsClosedWhileOthersRelayEveryFrame) {
  ServerProcess server({"--metrics", "true"});
  const auto port = server.port();
  constexpr int kRelaying = 100, kFramesEach = 20, kFeeders = 40, kFeedEach = 190;  // 190: inside the 200 burst

  std::vector<std::unique_ptr<WsClient>> relaying;
  std::vector<std::string> ids;
  for (int i = 0; i < kRelaying; ++i) {
    relaying.push_back(WsClient::connect(port));
    ids.push_back(relaying.back()->register_as("r" + std::to_string(i)));
  }
  auto sink = WsClient::connect(port);
  const auto sink_id = sink->register_as("flood-sink");
  std::vector<std::unique_ptr<RawWsClient>> feeders;
  for (int i = 0; i < kFeeders; ++i) {
    feeders.push_back(std::make_unique<RawWsClient>(port, 1 << 20));
    feeders.back()->send_text(R"({"register":{"node_name":"feeder)" + std::to_string(i) + R"("}})");
  }
  // Registered last, with a tiny receive window, and never read from again.
  RawWsClient slow(port, 4096);
  slow.send_text(R"({"register":{"node_name":"slow"}})");
  std::string slow_id;
  for (int tries = 0; slow_id.empty() && tries < 50; ++tries, std::this_thread::sleep_for(50ms)) slow_id = id_named(port, "slow");
  ASSERT_FALSE(slow_id.empty());
  for (auto& c : relaying) c->drain(1ms);  // the presence frames of the newcomers
  const long rss_before = server.rss_kib();

  // The flooder: relays to the sink, written as fast as its socket takes them.
  RawWsClient flooder(port, 1 << 20);
  flooder.send_text(R"({"register":{"node_name":"flooder"}})");
  std::string chunk;
  for (int i = 0; i < 256; ++i) chunk += masked_frame(0x1, ice_to(sink_id, "flood " + std::string(300, 'f')));
  std::thread flood([&] {
    const auto end = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < end) flooder.send_raw(chunk);
  });

  // 7,600 frames of 780 bytes for the slow reader: more than its kernel buffers hold (~2.7 MiB,
  // 3,600 of them here) plus the queue bound (1,024 frames, which come before its 1 MiB), all
  // within the feeders' budgets.
  std::string feed;
  for (int i = 0; i < kFeedEach; ++i) feed += masked_frame(0x1, ice_to(slow_id, "feed " + std::string(700, 'x')));
  for (auto& f : feeders) f->send_raw(feed);

  // Meanwhile each relaying client sends kFramesEach numbered frames to its partner.
  std::vector<std::vector<int>> got(kRelaying);
  std::vector<int> wrong_sender(kRelaying, 0);
  auto read_relays = [&](int i, std::chrono::milliseconds timeout) {
    while (auto f = relaying[i]->next(timeout)) {
      if (!f->contains("ice_offer")) continue;
      const auto& o = f->at("ice_offer").as_object();
      if (o.at("from_node_id").as_string() != ids[i ^ 1]) ++wrong_sender[i];
      got[i].push_back(std::stoi(std::string(o.at("offer_json").as_string())));
      if (got[i].size() == kFramesEach) break;
    }
  };
  for (int n = 0; n < kFramesEach; ++n) {
    for (int i = 0; i < kRelaying; ++i) relaying[i]->send(ice_to(ids[i ^ 1], std::to_string(n)));
    for (auto& f : feeders) f->drain_now();
  }
  for (int i = 0; i < kRelaying; ++i) read_relays(i, 5s);  // their sockets hold what came meanwhile
  flood.join();

  for (int i = 0; i < kRelaying; ++i) {
    std::vector<int> expected(kFramesEach);
    for (int n = 0; n < kFramesEach; ++n) expected[n] = n;
    EXPECT_EQ(got[i], expected) << "client " << i << " did not get every frame of its partner, in order";
    EXPECT_EQ(wrong_sender[i], 0);
  }

  // The flooder got its burst through, then rate_limited, then 1008 for abuse.
  const auto code = flooder.read_close_code(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1008);
  EXPECT_GE(metric(port, R"(parley_rate_limited_total{budget="frames"})"), 31);
  EXPECT_GE(metric(port, "parley_abuse_closes_total"), 1);
  std::size_t flood_relays = 0;
  for (const auto& f : sink->drain(300ms)) flood_relays += f.contains("ice_offer");
  EXPECT_GT(flood_relays, 0u);
  EXPECT_LE(flood_relays, 200u + 20u * 10u) << "more than the burst and 10 s of the rate got through";

  // The slow reader: dropped for its queue, gone from /conns; the server's memory stayed bounded.
  for (int tries = 0; !id_named(port, "slow").empty() && tries < 100; ++tries) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(id_named(port, "slow").empty()) << "the never-reading client is still listed";
  EXPECT_EQ(metric(port, R"(parley_connections_dropped_total{reason="send_queue_overflow"})"), 1);
  const long rss_after = server.rss_kib();
  EXPECT_LT(rss_after - rss_before, 32 * 1024) << "RSS grew from " << rss_before << " to " << rss_after << " KiB";

  // Nobody honest was disconnected.
  for (int i = 0; i < kRelaying; ++i) {
    relaying[i]->send(R"({"echo":{"direction":"ping","correlation_id":"alive"}})");
    EXPECT_TRUE(relaying[i]->next_with_key("echo", 5s)) << "client " << i;
    EXPECT_TRUE(relaying[i]->is_open()) << "client " << i;
  }
}
