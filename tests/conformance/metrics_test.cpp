// /metrics against the real server: a real Prometheus parser (python3-prometheus-client) accepts
// the scrape, the counters move by exactly the traffic sent, and --metrics-listen keeps it off
// the public port.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

struct Scrape {
  json::object types;    // family name -> counter, gauge, histogram
  json::object samples;  // "name{k=v,...}" -> value
  double value(const std::string& key) const {
    const auto* v = samples.if_contains(key);
    if (!v) throw std::runtime_error("no sample " + key);
    return v->to_number<double>();
  }
};

// Runs the scrape through prometheus_client's parser; fails the test when it refuses it.
Scrape parse_with_prometheus_client(const std::string& text) {
  const auto file = std::filesystem::temp_directory_path() / ("parley-metrics-" + std::to_string(getpid()) + ".txt");
  std::ofstream(file) << text;
  // Debian's interpreter, where python3-prometheus-client is installed (scripts/deps/server.apt).
  const std::string command = "/usr/bin/python3 " PARLEY_METRICS_PARSER " < " + file.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  std::string out;
  char buf[4096];
  while (const auto n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  std::filesystem::remove(file);
  if (status != 0)
    throw std::runtime_error("prometheus_client refused the scrape (is python3-prometheus-client installed?): " + out);
  auto parsed = json::parse(out).as_object();
  return {parsed.at("types").as_object(), parsed.at("samples").as_object()};
}

Scrape scrape(std::uint16_t port) {
  const auto r = http_request(port, "GET", "/metrics");
  if (r.status != 200) throw std::runtime_error("/metrics answered " + std::to_string(r.status));
  return parse_with_prometheus_client(r.body);
}

std::string sdp_offer(const std::string& from, const std::string& to) {
  return R"({"sdp_offer":{"type":"offer","offer_json":"{\"type\":\"offer\",\"sdp\":\"v=0\"}","from_node_id":")" + from +
         R"(","to_node_id":")" + to + R"("}})";
}

}  // namespace

TEST(Metrics, SeparateListenerServesThemAndTheMainPortDoesNot) {
  const auto metrics_port = free_port();
  ServerProcess server({"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)});
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/api/metrics").status, 404);
  const auto r = http_request(metrics_port, "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(http_request(metrics_port, "GET", "/conns").status, 404);  // nothing else there
  EXPECT_EQ(http_request(metrics_port, "POST", "/metrics").status, 405);

  const auto s = parse_with_prometheus_client(r.body);
  EXPECT_EQ(s.types.at("parley_frames_in").as_string(), "counter");
  EXPECT_EQ(s.types.at("parley_frame_handling_seconds").as_string(), "histogram");
  EXPECT_EQ(s.types.at("parley_connections").as_string(), "gauge");
  EXPECT_EQ(s.types.at("process_cpu_seconds").as_string(), "counter");
  EXPECT_EQ(s.value("parley_build_info{version=0.1.0}"), 1);
  EXPECT_GT(s.value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(s.value("process_open_fds"), 3);
  EXPECT_NEAR(s.value("process_start_time_seconds"), static_cast<double>(std::time(nullptr)), 120);
  EXPECT_EQ(s.value("parley_frame_handling_seconds_bucket{le=+Inf}"), s.value("parley_frame_handling_seconds_count"));
}

TEST(Metrics, CountersMoveByExactlyTheTrafficSent) {
  const auto metrics_port = free_port();
  ServerProcess server({"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)});
  const auto before = scrape(metrics_port);

  constexpr int kRegisters = 3, kRelays = 5;
  std::vector<std::unique_ptr<WsClient>> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < kRegisters; ++i) {
    clients.push_back(WsClient::connect(server.port()));
    ids.push_back(clients.back()->register_as("metrics" + std::to_string(i)));
  }
  for (int i = 0; i < kRelays; ++i) clients[0]->send(sdp_offer(ids[0], ids[1]));
  for (int i = 0; i < kRelays; ++i) ASSERT_TRUE(clients[1]->next_with_key("sdp_offer"));
  clients[0]->send(sdp_offer(ids[0], "no-such-peer"));
  const auto error = clients[0]->next_with_key("error");
  ASSERT_TRUE(error);
  ASSERT_EQ(error->at("error").at("code").as_string(), "unknown_peer");
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Origin", "https://elsewhere.example"}}).status, 403);
  const auto after = scrape(metrics_port);
  const auto delta = [&](const std::string& key) { return after.value(key) - before.value(key); };
  EXPECT_EQ(delta("parley_frames_in_total{type=register}"), kRegisters);
  EXPECT_EQ(delta("parley_registrations_total"), kRegisters);
  EXPECT_EQ(delta("parley_frames_in_total{type=sdp_offer}"), kRelays + 1);
  EXPECT_EQ(delta("parley_frames_in_total{type=bad_json}"), 0);
  EXPECT_EQ(delta("parley_frames_out_total{kind=relay}"), kRelays);
  // online to every registered connection, the registrant included: 1 + 2 + 3
  EXPECT_EQ(delta("parley_frames_out_total{kind=presence}"), 1 + 2 + 3);
  EXPECT_EQ(delta("parley_frames_out_total{kind=reply}"), kRegisters + 1);  // register replies, the error
  EXPECT_EQ(delta("parley_relay_errors_total{code=unknown_peer}"), 1);
  EXPECT_EQ(delta("parley_errors_sent_total{code=unknown_peer}"), 1);
  EXPECT_EQ(delta("parley_errors_sent_total{code=bad_field}"), 0);
  EXPECT_EQ(delta("parley_connections_opened_total{kind=anonymous}"), kRegisters);
  EXPECT_EQ(delta("parley_handshake_failures_total{reason=origin_refused}"), 1);
  EXPECT_EQ(delta("parley_rate_limited_total{budget=frames}"), 0);
  EXPECT_EQ(delta("parley_frame_handling_seconds_count"), kRegisters + kRelays + 1);
  EXPECT_GT(delta("parley_frame_handling_seconds_sum"), 0);
  EXPECT_EQ(after.value("parley_connections{kind=anonymous}"), kRegisters);
  EXPECT_EQ(after.value("parley_connections_registered"), kRegisters);

  clients[2]->close();  // the server echoes the client's 1000 before close() returns
  const auto closed = scrape(metrics_port);
  EXPECT_EQ(closed.value("parley_ws_closes_total{code=1000,initiator=client}") -
                after.value("parley_ws_closes_total{code=1000,initiator=client}"),
            1);
  EXPECT_EQ(closed.value("parley_ws_closes_total{code=1008,initiator=server}"), 0);
}

TEST(Metrics, MainPortOnlyWhenAskedFor) {
  {
    ServerProcess server;  // the default: not served at all
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 404);
  }
  ServerProcess server({"--metrics", "true"});
  for (const std::string path : {"/metrics", "/api/metrics"}) {
    const auto r = http_request(server.port(), "GET", path);
    ASSERT_EQ(r.status, 200) << path;
    const auto s = parse_with_prometheus_client(r.body);
    EXPECT_EQ(s.value("parley_connections_registered"), 0);
  }
}

TEST(Metrics, MetricsAndMetricsListenTogetherAreRefused) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string listen = "127.0.0.1:" + std::to_string(free_port());
    execl(PARLEY_SERVER_BINARY, PARLEY_SERVER_BINARY, "--env-file", "", "--metrics", "true", "--metrics-listen",
          listen.c_str(), "--management-listen", "", "--data-dir", "/nonexistent/parley-metrics-test", nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}
