// The reliability suite's orderly stop (issue 12): SIGTERM with 1,000 open WebSockets. Every
// client gets a close frame with 1001 (going away) and the process exits with 0.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;

namespace {

long connections_of(std::uint16_t port) {
  const auto r = http_request(port, "GET", "/healthz");
  if (r.status != 200) return -1;
  return static_cast<long>(json::parse(r.body).at("connections").as_int64());
}

}  // namespace

TEST(Lifecycle, SigtermWithAThousandConnectionsClosesEveryOneWith1001AndExits) {
  constexpr int kClients = 1000;
  ServerProcess server;
  std::vector<std::unique_ptr<RawWsClient>> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<RawWsClient>(server.port(), 64 * 1024));
  // A few of them registered, so the stop also ends registered connections with their presence.
  for (int i = 0; i < 50; ++i) clients[i]->send_text(R"({"register":{"node_name":"s)" + std::to_string(i) + R"("}})");
  for (int tries = 0; connections_of(server.port()) < kClients && tries < 200; ++tries) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(connections_of(server.port()), kClients);

  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  int with_1001 = 0;
  for (auto& c : clients)
    if (c->read_close_code(5s) == 1001) ++with_1001;
  EXPECT_EQ(with_1001, kClients) << "clients that got a close frame with 1001";
  // The server promises to be gone within 3 s of SIGTERM; 5 s here only guards against a hang.
  EXPECT_EQ(server.stop(SIGTERM, 5s), 0);
}
