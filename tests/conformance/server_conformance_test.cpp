// HTTP API, origins, limits and lifecycle of the real server binary (PROTOCOL.md §2.1, §2.11, §3).
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
std::string str(const json::value& v) { return std::string(v.as_string()); }

struct TempWebRoot {
  fs::path dir;
  TempWebRoot() {
    dir = fs::temp_directory_path() / ("parley-web-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(dir / "assets");
    std::ofstream(dir / "index.html") << "<!doctype html><title>Parley</title>";
    std::ofstream(dir / "assets" / "app-1234.js") << "console.log('hi')";
    std::ofstream(dir / "logo.svg") << "<svg xmlns='http://www.w3.org/2000/svg'/>";
  }
  ~TempWebRoot() { fs::remove_all(dir); }
};
}  // namespace

TEST(Http, HealthzConnsAndApiAliases) {
  ServerProcess server;
  for (const std::string prefix : {"", "/api"}) {
    auto h = http_request(server.port(), "GET", prefix + "/healthz");
    EXPECT_EQ(h.status, 200);
    auto c = http_request(server.port(), "GET", prefix + "/conns");
    EXPECT_EQ(c.status, 200);
    EXPECT_EQ(c.header("content-type"), "application/json");
    EXPECT_EQ(c.header("cache-control"), "no-store");
    EXPECT_TRUE(json::parse(c.body).is_object());
    auto s = http_request(server.port(), "GET", prefix + "/profile/status");
    EXPECT_EQ(s.status, 200);
    EXPECT_EQ(json::parse(s.body), json::parse(R"({"logged_in":false})"));
    EXPECT_EQ(http_request(server.port(), "GET", prefix + "/profile").status, 401);
    EXPECT_EQ(http_request(server.port(), "GET", prefix + "/profile?username=nobody").status, 404);
  }
  auto ws = WsClient::connect(server.port(), "/api/ws");
  ws->register_as("via-api");
}

TEST(Http, WrongMethodIs405WithAllow) {
  ServerProcess server;
  auto r = http_request(server.port(), "DELETE", "/conns");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"err":"method not allowed"})"));
  EXPECT_EQ(http_request(server.port(), "GET", "/logout").status, 405);
  EXPECT_EQ(http_request(server.port(), "POST", "/api/logout").status, 200);
}

TEST(Http, UnknownApiPathIsJson404) {
  ServerProcess server;
  auto r = http_request(server.port(), "GET", "/api/nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"err":"not found"})"));
  EXPECT_EQ(http_request(server.port(), "GET", "/ws").status, 426);
}

TEST(Http, ServersJsonIsGeneratedFromFlags) {
  ServerProcess server({"--server-name", "Test", "--ice-server", "stun:stun.example.org:3478"});
  auto r = http_request(server.port(), "GET", "/servers.json");
  ASSERT_EQ(r.status, 200);
  auto list = json::parse(r.body).as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& entry = list[0].as_object();
  EXPECT_EQ(str(entry.at("url")), "/api/ws");
  EXPECT_EQ(str(entry.at("name")), "Test");
  EXPECT_EQ(str(entry.at("apiPrefix")), "/api");
  EXPECT_EQ(entry.at("iceServers").as_array().size(), 1u);
  EXPECT_TRUE(entry.at("allowAnonymous").as_bool());
}

TEST(Http, StaticFilesWithTypesCachingAndSpaFallback) {
  TempWebRoot root;
  ServerProcess server({"--web-root", root.dir.string()});
  auto index = http_request(server.port(), "GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  auto js = http_request(server.port(), "GET", "/assets/app-1234.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.body, "console.log('hi')");
  // Revalidation
  auto again = http_request(server.port(), "GET", "/assets/app-1234.js", {{"If-None-Match", js.header("etag")}});
  EXPECT_EQ(again.status, 304);
  // A client-side route gets index.html; a missing asset is a real 404
  auto route = http_request(server.port(), "GET", "/chat/someone");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, index.body);
  EXPECT_EQ(http_request(server.port(), "GET", "/assets/missing.js").status, 404);
  // Path traversal and hidden files never leave the root
  EXPECT_EQ(http_request(server.port(), "GET", "/../../etc/passwd").status, 404);  // dot-segments are refused
  EXPECT_NE(http_request(server.port(), "GET", "/%2e%2e/%2e%2e/etc/passwd").body.find("root:"), 0u);
  EXPECT_EQ(http_request(server.port(), "GET", "/.env").status, 404);
  auto head = http_request(server.port(), "HEAD", "/assets/app-1234.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "17");
}

TEST(Http, SymlinksOutOfTheWebRootAreNotFollowed) {
  TempWebRoot root;
  const fs::path outside = root.dir.parent_path() / (root.dir.filename().string() + "-outside");
  fs::create_directories(outside);
  std::ofstream(outside / "secret.txt") << "not for the web";
  fs::create_symlink(outside / "secret.txt", root.dir / "leak.txt");
  fs::create_directory_symlink(outside, root.dir / "assets" / "out");
  fs::create_symlink(root.dir / "logo.svg", root.dir / "alias.svg");  // inside the root: fine
  ServerProcess server({"--web-root", root.dir.string()});
  for (const char* target : {"/leak.txt", "/assets/out/secret.txt", "/api/../leak.txt"}) {
    auto r = http_request(server.port(), "GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("not for the web"), std::string::npos) << target;
  }
  EXPECT_EQ(http_request(server.port(), "HEAD", "/leak.txt").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/alias.svg").status, 200);
  fs::remove_all(outside);
}

TEST(Http, AllowedHostsRefuseADnsRebindingPage) {
  ServerProcess server({"--allowed-host", "chat.example.com,127.0.0.1"});
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);  // Host 127.0.0.1:<port>
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz", {{"Host", "Chat.Example.com:8443"}}).status, 200);
  // A page on rebind.attacker.example whose name now resolves to this server: same-origin by
  // Host, so only the Host check stops its WebSocket and its reads.
  const Headers rebound = {{"Host", "rebind.attacker.example:" + std::to_string(server.port())},
                           {"Origin", "http://rebind.attacker.example:" + std::to_string(server.port())}};
  auto conns = http_request(server.port(), "GET", "/conns", rebound);
  EXPECT_EQ(conns.status, 421);
  EXPECT_EQ(json::parse(conns.body), json::parse(R"({"err":"unknown host"})"));
  EXPECT_EQ(try_upgrade(server.port(), "/ws", rebound).status, 421);
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Host", "chat.example.com"}, {"Origin", "http://chat.example.com"}}).status, 101);

  // Without the flag any name is served (the default, for LAN and localhost setups).
  ServerProcess open_server;
  EXPECT_EQ(try_upgrade(open_server.port(), "/ws", {{"Host", "rebind.attacker.example"}, {"Origin", "http://rebind.attacker.example"}}).status, 101);
}

TEST(Http, StaticFilesCarryTheSecurityHeadersBuiltFromServersJson) {
  TempWebRoot root;
  const auto servers = root.dir.parent_path() / (root.dir.filename().string() + "-servers.json");
  std::ofstream(servers) << R"([{"url":"/api/ws","id":"main","apiPrefix":"/api"},
    {"url":"wss://other.example/ws","id":"other","apiPrefix":"https://other.example/api"},
    {"url":"https://evil.example; script-src 'unsafe-inline'","id":"evil"}])";
  ServerProcess server({"--web-root", root.dir.string(), "--servers-json", servers.string()});
  for (const char* path : {"/", "/assets/app-1234.js", "/chat/someone"}) {
    auto r = http_request(server.port(), "GET", path);
    ASSERT_EQ(r.status, 200) << path;
    const auto csp = r.header("content-security-policy");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self' 'wasm-unsafe-eval';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self' https://other.example wss://other.example;"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("evil"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("cross-origin-opener-policy"), "same-origin");
    EXPECT_NE(r.header("permissions-policy").find("camera=()"), std::string::npos);
    EXPECT_EQ(r.header("strict-transport-security"), "");  // no TLS here
  }
  // A LAN name over plain http is no secure context: COOP would only make the browser log an
  // error there, so it is left out; the rest stays. Behind a TLS proxy it is back.
  auto lan = http_request(server.port(), "GET", "/", {{"Host", "parley.lan:3001"}});
  ASSERT_EQ(lan.status, 200);
  EXPECT_EQ(lan.header("cross-origin-opener-policy"), "");
  EXPECT_NE(lan.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(lan.header("x-frame-options"), "DENY");
  auto proxied = http_request(server.port(), "GET", "/", {{"Host", "parley.lan"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(proxied.header("cross-origin-opener-policy"), "same-origin");
  fs::remove(servers);
}

TEST(Http, MissingWebClientIsExplained) {
  ServerProcess server;  // --web-root /nonexistent
  auto r = http_request(server.port(), "GET", "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("not built"), std::string::npos);
}

TEST(Http, MalformedAndOversizedRequestsGetClearErrors) {
  ServerProcess server;
  EXPECT_EQ(http_request(server.port(), "GET", "/conns", {{"X-Big", std::string(20000, 'a')}}).status, 413);
  EXPECT_EQ(http_request(server.port(), "POST", "/logout", {}, std::string(2 * 1024 * 1024, 'b')).status, 413);
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
}

TEST(Origins, AllowListAndSameOriginAndMissingOrigin) {
  ServerProcess server({"--allowed-origin", "https://chat.example.com"});
  const auto host = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(try_upgrade(server.port(), "/ws").status, 101);  // bots send no Origin
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Origin", "https://chat.example.com"}}).status, 101);
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Origin", "http://" + host}}).status, 101);  // same origin
  auto evil = try_upgrade(server.port(), "/ws", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(json::parse(evil.body), json::parse(R"({"err":"origin not allowed"})"));
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Sec-WebSocket-Version", "8"}}).status, 426);
  EXPECT_EQ(try_upgrade(server.port(), "/ws", {{"Sec-WebSocket-Key", "short"}}).status, 400);
}

TEST(Origins, MissingOriginRefusedWhenDefaultCorsDisallowed) {
  ServerProcess server({"--default-cors-allowed", "false"});
  EXPECT_EQ(try_upgrade(server.port(), "/ws").status, 403);
}

TEST(Cors, AllowedOriginGetsHeadersAndPreflight) {
  ServerProcess server({"--allowed-origin", "https://chat.example.com"});
  auto r = http_request(server.port(), "GET", "/api/conns", {{"Origin", "https://chat.example.com"}});
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://chat.example.com");
  EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(r.header("vary"), "Origin");
  auto other = http_request(server.port(), "GET", "/api/conns", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
  auto pre = http_request(server.port(), "OPTIONS", "/api/logout",
                          {{"Origin", "https://chat.example.com"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("access-control-allow-methods"), "GET, POST, DELETE, OPTIONS");
  EXPECT_EQ(pre.header("access-control-max-age"), "600");
  EXPECT_EQ(http_request(server.port(), "OPTIONS", "/api/logout", {{"Origin", "https://evil.example"}}).status, 403);
  // CSRF: logout from a foreign origin is refused
  EXPECT_EQ(http_request(server.port(), "POST", "/logout", {{"Origin", "https://evil.example"}}).status, 403);
}

TEST(Limits, MaxConnectionsAnswers503) {
  ServerProcess server({"--max-connections", "2"});
  auto a = WsClient::connect(server.port());
  auto b = WsClient::connect(server.port());
  auto refused = try_upgrade(server.port(), "/ws");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(json::parse(refused.body), json::parse(R"({"err":"server full"})"));
  a->close();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(try_upgrade(server.port(), "/ws").status, 101);
}

TEST(Limits, InactivityTimeoutClosesWith1000AndPingsKeepAlive) {
  ServerProcess server({"--ws-timeout", "2s"});
  auto idle = WsClient::connect(server.port());
  auto busy = WsClient::connect(server.port());
  idle->register_as("idle");
  const auto busy_id = busy->register_as("busy");
  const auto start = std::chrono::steady_clock::now();
  std::optional<int> code;
  while (std::chrono::steady_clock::now() - start < 6s && !code) {
    busy->send(R"({"echo":{"direction":"ping"}})");
    code = idle->wait_closed(500ms);
  }
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1000);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1500ms);
  auto offline = busy->next_with_key("offline");
  ASSERT_TRUE(offline);
  EXPECT_TRUE(busy->is_open());
  EXPECT_TRUE(json::parse(http_request(server.port(), "GET", "/conns").body).as_object().contains(busy_id));
}

TEST(Limits, AnonymousRegisterRefusedWhenDisabled) {
  ServerProcess server({"--allow-anonymous", "false"});
  auto a = WsClient::connect(server.port());
  a->send(R"({"register":{"node_name":"visitor"}})");
  auto err = a->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err->at("error").at("code")), "unauthorized");
  EXPECT_EQ(a->wait_closed().value_or(-1), 1008);
}

TEST(Limits, InvalidBearerTokenIsReportedNotRefused) {
  ServerProcess server;
  auto bot = WsClient::connect(server.port(), "/ws", {{"Authorization", "bearer not.a.jwt"}});
  auto err = bot->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err->at("error").at("code")), "invalid_token");
  bot->register_as("EchoBot");
}

TEST(Lifecycle, SigtermClosesSocketsWith1001AndExitsZero) {
  ServerProcess server;
  auto a = WsClient::connect(server.port());
  auto b = WsClient::connect(server.port());
  a->register_as("a");
  b->register_as("b");
  std::thread stopper([&] { std::this_thread::sleep_for(100ms); });
  stopper.join();
  const int pid = server.pid();
  ::kill(pid, SIGTERM);
  EXPECT_EQ(a->wait_closed().value_or(-1), 1001);
  EXPECT_EQ(b->wait_closed().value_or(-1), 1001);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(Flags, BadFlagsFailWithAClearMessage) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--ws-timeout", "0s"},
                                                                {"--ws-timeout", "soon"},
                                                                {"--listen", "nonsense"},
                                                                {"--allowed-origin", "chat.example.com"},
                                                                {"--allowed-host", "chat.example.com/x"},
                                                                {"--cookie-samesite", "None"}}) {
    std::string cmd = std::string(PARLEY_SERVER_BINARY) + " --env-file ''";
    for (const auto& a : args) cmd += " '" + a + "'";
    const int status = std::system((cmd + " >/dev/null 2>&1").c_str());
    EXPECT_NE(WEXITSTATUS(status), 0) << cmd;
  }
  EXPECT_EQ(WEXITSTATUS(std::system((std::string(PARLEY_SERVER_BINARY) + " --help >/dev/null").c_str())), 0);
}

TEST(Flags, DotenvProvidesDefaultsAndEnvironmentWins) {
  const auto dir = fs::temp_directory_path() / ("parley-env-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / ".env") << "# comment\nPARLEY_SERVER_NAME=\"From Dotenv\"\nexport PARLEY_ICE_SERVERS=stun:a.example:1\nbroken line\n";
  const auto port = [] {
    ServerProcess probe;
    return probe.port();
  }();
  const std::string cmd = "cd " + dir.string() + " && timeout 3 " + PARLEY_SERVER_BINARY + " --listen 127.0.0.1:" +
                          std::to_string(port) + " --web-root /nonexistent --log-level warn >/dev/null 2>&1 &";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::optional<HttpResult> r;
  for (int i = 0; i < 50 && !r; ++i) {
    std::this_thread::sleep_for(50ms);
    try {
      r = http_request(port, "GET", "/servers.json");
    } catch (...) {
    }
  }
  ASSERT_TRUE(r);
  auto entry = json::parse(r->body).as_array().at(0).as_object();
  EXPECT_EQ(str(entry.at("name")), "From Dotenv");
  EXPECT_EQ(str(entry.at("iceServers").as_array().at(0)), "stun:a.example:1");
  std::system(("pkill -f 'listen 127.0.0.1:" + std::to_string(port) + "'").c_str());
  fs::remove_all(dir);
}
