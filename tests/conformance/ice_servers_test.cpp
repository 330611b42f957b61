// GET /ice-servers (PROTOCOL §3.11, issue 13): TURN credentials in coturn's REST scheme, only for
// callers the server knows (a bot token, a registered connection's ticket), rate limited, never
// cached; and a real coturn with use-auth-secret accepts what the server hands out.
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "accounts_support.hpp"
#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "conformance-turn-secret";

std::string hmac_sha1_base64(const std::string& key, const std::string& data) {
  unsigned char md[20];
  unsigned int n = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &n);
  return base64_std(std::string(reinterpret_cast<char*>(md), n));
}

std::vector<std::string> turn_args(const TempDir& dir) {
  const auto secret = dir.path / "turn-secret";
  std::ofstream(secret) << kSecret << "\n";
  return {"--turn-secret-file", secret.string(), "--turn-url", "turn:127.0.0.1:3478", "--turn-url",
          "turn:127.0.0.1:3478?transport=tcp", "--turn-ttl", "2h"};
}

json::object ice_servers(const HttpResult& r) {
  auto v = json::parse(r.body);
  return v.as_object();
}

// The first (and only) ICE server entry of an /ice-servers answer.
json::object entry(const HttpResult& r) { return ice_servers(r).at("iceServers").as_array().at(0).as_object(); }

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// coturn takes a moment to start on a busy machine: wait until its TCP port answers.
bool wait_listening(int port, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (up) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

TEST(IceServers, WithoutTurnFlagsThereIsNoRouteAndNoTicket) {
  ServerProcess server;
  EXPECT_EQ(http_request(server.port(), "GET", "/ice-servers").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/api/servers.json").body.find("iceServersEndpoint"), std::string::npos);
  auto c = WsClient::connect(server.port());
  c->send(R"({"register":{"node_name":"no-turn"}})");
  auto reply = c->next_with_key("register");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->contains("turn_ticket"));
}

TEST(IceServers, RegisteredConnectionsGetCredentialsThroughTheirTicketOthersGet401) {
  TempDir dir;
  ServerProcess server(turn_args(dir));
  EXPECT_NE(http_request(server.port(), "GET", "/servers.json").body.find(R"("iceServersEndpoint":"/api/ice-servers")"),
            std::string::npos);
  // Nobody the server knows.
  auto anonymous = http_request(server.port(), "GET", "/api/ice-servers");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.body.find("turn_ticket"), std::string::npos) << "the error says what is needed";

  auto c = WsClient::connect(server.port());
  c->send(R"({"register":{"node_name":"turn-user"}})");
  auto reply = c->next_with_key("register");
  ASSERT_TRUE(reply && reply->contains("turn_ticket"));
  const std::string node = std::string(reply->at("node_id").as_string());
  const std::string ticket = std::string(reply->at("turn_ticket").as_string());
  ASSERT_EQ(ticket.rfind(node + ".", 0), 0u);

  const auto before = unix_now();
  auto ok = http_request(server.port(), "GET", "/api/ice-servers", {{"X-Parley-Turn-Ticket", ticket}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("cache-control"), "no-store");
  const auto e = entry(ok);
  EXPECT_EQ(json::serialize(e.at("urls")), R"(["turn:127.0.0.1:3478","turn:127.0.0.1:3478?transport=tcp"])");
  const std::string username = std::string(e.at("username").as_string());
  const auto colon = username.find(':');
  ASSERT_NE(colon, std::string::npos);
  const auto expiry = std::stoll(username.substr(0, colon));
  EXPECT_GE(expiry, before + 7200);
  EXPECT_LE(expiry, unix_now() + 7200);
  EXPECT_EQ(username.substr(colon + 1), node);
  EXPECT_EQ(std::string(e.at("credential").as_string()), hmac_sha1_base64(kSecret, username));

  // A ticket made up for a node id read from /conns, or tampered with, proves nothing.
  EXPECT_EQ(http_request(server.port(), "GET", "/ice-servers", {{"X-Parley-Turn-Ticket", node + ".00ff"}}).status, 401);
  std::string flipped = ticket;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_EQ(http_request(server.port(), "GET", "/ice-servers", {{"X-Parley-Turn-Ticket", flipped}}).status, 401);
  EXPECT_EQ(http_request(server.port(), "GET", "/ice-servers", {{"X-Parley-Turn-Ticket", std::string(300, 'x')}}).status, 401);

  // Once the connection is gone, so is its ticket.
  c->close();
  int status = 0;
  for (int i = 0; i < 50 && status != 401; ++i) {
    std::this_thread::sleep_for(20ms);
    status = http_request(server.port(), "GET", "/ice-servers", {{"X-Parley-Turn-Ticket", ticket}}).status;
  }
  EXPECT_EQ(status, 401);
}

TEST(IceServers, BotTokensGetCredentialsAndEachCallerIsRateLimited) {
  TempDir dir;
  auto args = turn_args(dir);
  args.insert(args.end(), {"--data-dir", (dir.path / "data").string(), "--management-listen", (dir.path / "m.sock").string()});
  ServerProcess server(args);
  const auto token = add_bot(dir.path / "m.sock", "turnbot");
  auto bot = http_request(server.port(), "GET", "/ice-servers", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(bot.status, 200) << bot.body;
  const std::string username = std::string(entry(bot).at("username").as_string());
  EXPECT_EQ(username.substr(username.find(':') + 1), "turnbot");
  EXPECT_EQ(http_request(server.port(), "GET", "/ice-servers", {{"Authorization", "Bearer not-a-token"}}).status, 401);

  int ok = 1, limited = 0;
  for (int i = 0; i < 30; ++i) {
    const auto s = http_request(server.port(), "GET", "/ice-servers", {{"Authorization", "Bearer " + token}}).status;
    ok += s == 200;
    limited += s == 429;
  }
  EXPECT_EQ(ok, 20) << "a burst of 20";
  EXPECT_EQ(limited, 11);
}

TEST(IceServers, BadTurnFlagsStopTheStart) {
  TempDir dir;
  std::ofstream(dir.path / "empty").close();
  const auto d = (dir.path / "data").string();
  auto start = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = {"--env-file", "", "--listen", "127.0.0.1:0", "--data-dir", d, "--management-listen",
                                  (dir.path / "m.sock").string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return run_server_cli(a, 10s);
  };
  auto empty = start({"--turn-secret-file", (dir.path / "empty").string(), "--turn-url", "turn:x.example"});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("the file is empty"), std::string::npos) << empty.err;
  auto missing = start({"--turn-secret-file", (dir.path / "nope").string(), "--turn-url", "turn:x.example"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read it"), std::string::npos) << missing.err;
  auto no_secret = start({"--turn-url", "turn:x.example"});
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.err.find("needs --turn-secret-file"), std::string::npos) << no_secret.err;
  std::ofstream(dir.path / "secret") << "s";
  auto bad_url = start({"--turn-secret-file", (dir.path / "secret").string(), "--turn-url", "https://x.example"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.err.find("must be a turn: or turns: URL"), std::string::npos) << bad_url.err;
}

TEST(IceServers, CoturnWithUseAuthSecretAcceptsTheCredentials) {
  TempDir dir;
  const int turn_port = free_tcp_port();
  const int relay_base = 50000 + (::getpid() % 300) * 50;
  const auto log = (dir.path / "turn.log").string();
  const auto pidfile = (dir.path / "turn.pid").string();
  const std::string start = "turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=" +
                            std::to_string(turn_port) + " --min-port=" + std::to_string(relay_base) + " --max-port=" +
                            std::to_string(relay_base + 40) + " --use-auth-secret --static-auth-secret=" + kSecret +
                            " --realm=parley.test --allow-loopback-peers --no-tls --no-dtls --no-cli --simple-log --log-file=" +
                            log + " --no-stdout-log --pidfile=" + pidfile + " >/dev/null 2>&1 &";
  ASSERT_EQ(std::system(start.c_str()), 0);
  ASSERT_TRUE(wait_listening(turn_port, 10s)) << "turnserver (Debian package coturn) did not start: " << read_file(log);
  struct Stop {
    std::string pidfile;
    ~Stop() { std::system(("kill $(cat " + pidfile + ") 2>/dev/null").c_str()); }
  } stop{pidfile};

  ServerProcess server(turn_args(dir));
  auto c = WsClient::connect(server.port());
  c->send(R"({"register":{"node_name":"coturn-user"}})");
  auto reply = c->next_with_key("register");
  ASSERT_TRUE(reply && reply->contains("turn_ticket"));
  auto creds = http_request(server.port(), "GET", "/ice-servers",
                            {{"X-Parley-Turn-Ticket", std::string(reply->at("turn_ticket").as_string())}});
  ASSERT_EQ(creds.status, 200);
  const auto e = entry(creds);
  const std::string user = std::string(e.at("username").as_string());
  const std::string pass = std::string(e.at("credential").as_string());
  auto allocate = [&](const std::string& password) {
    return run("timeout 10 turnutils_uclient -t -y -n 1 -m 1 -u '" + user + "' -w '" + password + "' -p " +
               std::to_string(turn_port) + " 127.0.0.1 2>&1");
  };
  const auto good = allocate(pass);
  EXPECT_EQ(good.find("Cannot complete Allocation"), std::string::npos) << good;
  EXPECT_NE(good.find("Total lost packets 0"), std::string::npos) << good;
  const auto bad = allocate(pass.substr(1) + "A");
  EXPECT_NE(bad.find("Cannot complete Allocation"), std::string::npos) << "coturn must refuse a wrong credential: " << bad;
}
