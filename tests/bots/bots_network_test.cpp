// How the bots reach the signalling server (PROTOCOL.md §9.7): through an HTTP proxy from
// HTTP_PROXY (a CONNECT tunnel, here a tiny proxy written for the test that counts tunnels), and
// with --custom-resolver (a tiny DNS server written for the test). The server's name,
// parley-signal.test, resolves nowhere else: only the proxy, or only that DNS server, knows it.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <atomic>
#include <mutex>
#include <thread>

#include "bots/dns_resolver.hpp"
#include "bots/proxy_settings.hpp"
#include "bots_harness.hpp"

namespace parley::bots::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

constexpr const char* kServerName = "parley-signal.test";

// An HTTP proxy that answers CONNECT only: it maps kServerName to 127.0.0.1, pipes bytes both
// ways, and records every request head.
class ConnectProxy {
 public:
  ConnectProxy() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~ConnectProxy() {
    stop_ = true;
    boost::system::error_code ec;
    {
      tcp::socket wake(io_);  // a blocking accept does not return on close(): connect to it
      wake.connect(acceptor_.local_endpoint(), ec);
    }
    thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& weak : sockets_)
      if (auto s = weak.lock()) s->shutdown(tcp::socket::shutdown_both, ec);  // wakes blocked reads
    for (auto& t : pipes_) t.join();
  }
  int port() const { return port_; }
  int tunnels() const { return tunnels_; }
  std::vector<std::string> heads() {
    std::lock_guard lock(mutex_);
    return heads_;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      boost::system::error_code ec;
      auto client = std::make_shared<tcp::socket>(io_);
      acceptor_.accept(*client, ec);
      if (ec || stop_) return;
      std::lock_guard lock(mutex_);
      sockets_.push_back(client);
      pipes_.emplace_back([this, client] { serve(client); });
    }
  }
  void serve(std::shared_ptr<tcp::socket> client) {
    try {
      std::string head;
      size_t end = asio::read_until(*client, asio::dynamic_buffer(head), "\r\n\r\n");
      head.resize(end);
      {
        std::lock_guard lock(mutex_);
        heads_.push_back(head);
      }
      // "CONNECT host:port HTTP/1.1"
      auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
      std::string method = head.substr(0, sp1), authority = head.substr(sp1 + 1, sp2 - sp1 - 1);
      auto colon = authority.rfind(':');
      std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
      if (method != "CONNECT" || host != kServerName) {
        asio::write(*client, asio::buffer(std::string("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")));
        return;
      }
      auto server = std::make_shared<tcp::socket>(io_);
      {
        std::lock_guard lock(mutex_);
        sockets_.push_back(server);
      }
      server->connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))});
      asio::write(*client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")));
      ++tunnels_;
      std::thread up([client, server] { pipe(*client, *server); });
      pipe(*server, *client);
      up.join();
    } catch (const std::exception&) {
    }
  }
  static void pipe(tcp::socket& from, tcp::socket& to) {
    std::array<char, 16384> b;
    boost::system::error_code ec;
    for (;;) {
      size_t n = from.read_some(asio::buffer(b), ec);
      if (ec || asio::write(to, asio::buffer(b.data(), n), ec) != n || ec) break;
    }
    to.shutdown(tcp::socket::shutdown_both, ec);
    from.shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> tunnels_{0};
  std::mutex mutex_;
  std::vector<std::string> heads_;
  std::vector<std::weak_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> pipes_;
  std::thread thread_;
};

// A DNS server that knows one name: A kServerName → 127.0.0.1 (its answer uses a compression
// pointer to the question), AAAA → no record, anything else → NXDOMAIN. Counts queries.
class FakeDns {
 public:
  FakeDns() : socket_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = socket_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDns() {
    stop_ = true;
    boost::system::error_code ec;
    udp::socket wake(io_, udp::v4());  // a blocking receive does not return on close(): wake it
    wake.send_to(asio::buffer("x", 1), socket_.local_endpoint(), 0, ec);
    thread_.join();
  }
  int port() const { return port_; }
  int queries() const { return queries_; }

 private:
  void serve() {
    std::array<uint8_t, 512> q;
    for (;;) {
      udp::endpoint from;
      boost::system::error_code ec;
      size_t n = socket_.receive_from(asio::buffer(q), from, 0, ec);
      if (ec || stop_) return;
      if (n < 17) continue;
      ++queries_;
      // The question: labels from offset 12, then type and class.
      std::string name;
      size_t at = 12;
      while (at < n && q[at] != 0) {
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(&q[at + 1]), q[at]);
        at += 1 + q[at];
      }
      const size_t question_end = at + 5;
      if (question_end > n) continue;
      const uint16_t type = static_cast<uint16_t>(q[at + 1] << 8 | q[at + 2]);
      std::vector<uint8_t> r(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(question_end));
      r[2] = 0x81, r[3] = 0x80;  // response, RD, RA, NOERROR
      r[6] = 0, r[7] = 0;        // answers: 0 for now
      if (name != kServerName) {
        r[3] = 0x83;  // NXDOMAIN
      } else if (type == 1) {
        r[7] = 1;
        r.insert(r.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
      }
      socket_.send_to(asio::buffer(r), from, 0, ec);
    }
  }
  asio::io_context io_;
  udp::socket socket_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

bool echo_works(Stack& stack) {
  Client c(stack.port());
  if (!c.connect_to("EchoBot")) return false;
  c.send_text("EchoBot", "through");
  return c.wait(10s, [&] {
    for (const auto& r : c.received("EchoBot"))
      if (r.message.message && *r.message.message == "through" && !r.message.ack) return true;
    return false;
  });
}

TEST(BotsNetwork, SignallingGoesThroughTheHttpProxyWithItsCredentials) {
  ConnectProxy proxy;
  Stack stack(StackOptions{{"--bots", "EchoBot"},
                           {"HTTP_PROXY=http://bot:s3cr%40t@127.0.0.1:" + std::to_string(proxy.port()), "NO_PROXY=",
                            "HTTPS_PROXY=", "no_proxy=", "http_proxy="},
                           std::string("ws://") + kServerName + ":{port}/ws"});
  ASSERT_TRUE(stack.wait_for_nodes({"EchoBot"}, 10s)) << stack.bots_log();
  EXPECT_TRUE(echo_works(stack)) << stack.bots_log();
  EXPECT_GE(proxy.tunnels(), 1);
  auto heads = proxy.heads();
  ASSERT_FALSE(heads.empty());
  EXPECT_EQ(heads[0].rfind(std::string("CONNECT ") + kServerName + ":" + std::to_string(stack.port()) + " HTTP/1.1\r\n", 0), 0u)
      << heads[0];
  std::string credentials = "bot:s3cr@t", encoded(64, '\0');
  encoded.resize(boost::beast::detail::base64::encode(encoded.data(), credentials.data(), credentials.size()));
  EXPECT_NE(heads[0].find("Proxy-Authorization: Basic " + encoded + "\r\n"), std::string::npos) << heads[0];
  EXPECT_EQ(stack.bots_log().find("s3cr"), std::string::npos) << "a proxy secret reached the log";
}

TEST(BotsNetwork, NoProxyAndUnusableProxiesAreHonoured) {
  ConnectProxy proxy;
  // NO_PROXY names the server: the bot dials directly, cannot resolve the name, and never
  // touches the proxy. A socks5 proxy for wss is refused with a clear log line.
  Stack stack(StackOptions{{"--bots", "EchoBot"},
                           {"HTTP_PROXY=127.0.0.1:" + std::to_string(proxy.port()),
                            std::string("NO_PROXY=example.org, .") + "signal.test," + kServerName},
                           std::string("ws://") + kServerName + ":{port}/ws"});
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(proxy.tunnels(), 0);
  EXPECT_TRUE(proxy.heads().empty());
  EXPECT_TRUE(find_node(stack.port(), "EchoBot").empty());
  Stack socks(StackOptions{{"--bots", "EchoBot"}, {"HTTPS_PROXY=socks5://127.0.0.1:1"}, "wss://{port}.invalid:1/ws"});
  ASSERT_TRUE([&] {
    for (int i = 0; i < 50; ++i, std::this_thread::sleep_for(100ms))
      if (socks.bots_log().find("only http:// proxies are supported") != std::string::npos) return true;
    return false;
  }()) << socks.bots_log();
  EXPECT_TRUE(socks.bots->running()) << "a bad proxy must not end the process";
}

TEST(BotsNetwork, CustomResolverLooksTheServerUp) {
  FakeDns dns;
  Stack stack(StackOptions{{"--bots", "EchoBot", "--custom-resolver", "127.0.0.1:" + std::to_string(dns.port())},
                           {},
                           std::string("ws://") + kServerName + ":{port}/ws"});
  ASSERT_TRUE(stack.wait_for_nodes({"EchoBot"}, 10s)) << stack.bots_log();
  EXPECT_TRUE(echo_works(stack)) << stack.bots_log();
  EXPECT_GE(dns.queries(), 1);
}

TEST(BotsNetwork, BadCustomResolverIsAClearError) {
  Stack stack(StackOptions{{"--bots", "EchoBot", "--custom-resolver", "1.2.3.4:99999"}, {}, {}});
  for (int i = 0; i < 50 && stack.bots->running(); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(stack.bots->running());
  EXPECT_NE(stack.bots_log().find("--custom-resolver: DNS server port must be 1-65535"), std::string::npos)
      << stack.bots_log();
}

TEST(BotsNetwork, ReceiveWindowOutOfRangeIsAClearError) {
  Stack stack(StackOptions{{"--bots", "EchoBot", "--sctp-receive-window", "64"}, {}, {}});
  for (int i = 0; i < 50 && stack.bots->running(); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(stack.bots->running());
  EXPECT_NE(stack.bots_log().find("--sctp-receive-window"), std::string::npos) << stack.bots_log();
  EXPECT_NE(stack.bots_log().find("320"), std::string::npos) << stack.bots_log();
}

TEST(ProxySettings, NoProxyRules) {
  EXPECT_TRUE(bypasses_proxy("", "localhost", "80"));
  EXPECT_TRUE(bypasses_proxy("", "127.0.0.1", "80"));
  EXPECT_TRUE(bypasses_proxy("", "[::1]", "80"));
  EXPECT_FALSE(bypasses_proxy("", "example.com", "80"));
  EXPECT_TRUE(bypasses_proxy("*", "example.com", "80"));
  EXPECT_TRUE(bypasses_proxy("example.com", "example.com", "80"));
  EXPECT_TRUE(bypasses_proxy("example.com", "a.b.example.com", "80"));
  EXPECT_FALSE(bypasses_proxy("example.com", "badexample.com", "80"));
  EXPECT_TRUE(bypasses_proxy(".example.com", "a.example.com", "80"));
  EXPECT_FALSE(bypasses_proxy(".example.com", "example.com", "80"));
  EXPECT_TRUE(bypasses_proxy("foo.org, example.com:8080", "example.com", "8080"));
  EXPECT_FALSE(bypasses_proxy("example.com:8080", "example.com", "80"));
  EXPECT_TRUE(bypasses_proxy("10.0.0.0/8", "10.1.2.3", "80"));
  EXPECT_FALSE(bypasses_proxy("10.0.0.0/8", "11.1.2.3", "80"));
  EXPECT_TRUE(bypasses_proxy("192.168.1.7", "192.168.1.7", "80"));
  EXPECT_TRUE(bypasses_proxy("EXAMPLE.com", "Example.COM", "80"));
  EXPECT_TRUE(bypasses_proxy("2001:db8::/32", "[2001:db8::1]", "80"));
}

TEST(ProxySettings, ChoosesByScheme) {
  ProxySettings p{"http://u:p@proxy:3128", "proxy2:8080", ""};
  auto a = p.proxy_for(false, "example.com", "80");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "proxy");
  EXPECT_EQ(a->port, "3128");
  EXPECT_EQ(a->authorization, "Basic dTpw");
  EXPECT_EQ(a->display.find("u:p"), std::string::npos);
  auto b = p.proxy_for(true, "example.com", "443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "proxy2");
  EXPECT_EQ(b->port, "8080");
  EXPECT_TRUE(b->authorization.empty());
  EXPECT_FALSE(p.proxy_for(false, "127.0.0.1", "80"));
  ProxySettings bad{"socks5://x:1", "", ""};
  EXPECT_THROW(bad.proxy_for(false, "example.com", "80"), std::invalid_argument);
  EXPECT_FALSE(bad.proxy_for(true, "example.com", "443")) << "no HTTPS_PROXY: direct";
}

TEST(DnsResolver, ParsesServersQueriesAndReplies) {
  std::string error;
  auto s = parse_dns_server("9.9.9.9", &error);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->port, "53");
  s = parse_dns_server("[::1]:5353", &error);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->host, "::1");
  EXPECT_EQ(s->port, "5353");
  EXPECT_FALSE(parse_dns_server("host:0", &error));
  EXPECT_FALSE(parse_dns_server("", &error));
  EXPECT_TRUE(dns_query("a..b", 1, 7).empty());
  EXPECT_TRUE(dns_query(std::string(64, 'a') + ".com", 1, 7).empty());
  auto q = dns_query("ab.c.", 28, 0x1234);
  std::vector<uint8_t> want{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 1, 'c', 0, 0, 28, 0, 1};
  EXPECT_EQ(q, want);
  // A reply with a CNAME then an A record, names compressed.
  std::vector<uint8_t> r = q;
  r[2] = 0x81, r[3] = 0x80, r[7] = 2;
  r.insert(r.end(), {0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 2, 0xC0, 15});
  r.insert(r.end(), {0xC0, 15, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 9});
  auto a = dns_parse_reply(r, 0x1234);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].to_string(), "10.0.0.9");
  EXPECT_FALSE(dns_parse_reply(r, 0x1235)) << "another query's id";
  r.resize(r.size() - 3);
  EXPECT_FALSE(dns_parse_reply(r, 0x1234)) << "truncated record";
}

}  // namespace
}  // namespace parley::bots::test
