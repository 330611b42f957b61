// Built-in TLS (issue 13): https and wss on the listen port with a certificate from
// scripts/dev-ca.sh, plain http redirected, TLS below 1.2 refused, bad handshakes answered without
// harm, start-up refused for bad files, and SIGHUP swapping the certificate under open connections.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "accounts_support.hpp"
#include "harness.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::string fmt_hex(unsigned char c) {
  static const char* digits = "0123456789abcdef";
  return {digits[c >> 4], digits[c & 15]};
}

// scripts/dev-ca.sh -d dir 127.0.0.1 localhost: a CA and a server certificate signed by it.
void dev_ca(const fs::path& dir) {
  const std::string cmd = std::string(PARLEY_DEV_CA_SCRIPT) + " -d '" + dir.string() + "' 127.0.0.1 localhost >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// A self-signed certificate valid from `from_days` to `to_days` relative to now (for expired ones).
void self_signed(const fs::path& cert, const fs::path& key, long from_days, long to_days) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
  X509_set_pubkey(x, pkey);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("old"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_sign(x, pkey, EVP_sha256());
  FILE* f = std::fopen(cert.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key.c_str(), "w");
  PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

// The SHA-256 of a certificate, in hex; takes ownership of `x` ("" when null).
std::string sha256_hex(X509* x) {
  if (!x) return "";
  unsigned char md[32];
  unsigned int n = 0;
  X509_digest(x, EVP_sha256(), md, &n);
  X509_free(x);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) hex += fmt_hex(md[i]);
  return hex;
}

std::string sha256_of_leaf(SSL* s) { return sha256_hex(SSL_get1_peer_certificate(s)); }

// The leaf of a PEM file (the first certificate), as the same hex digest.
std::string sha256_of_file(const fs::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return sha256_hex(x);
}

ssl::context client_context(const fs::path& ca, int max_version = 0) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca.string());
  ctx.set_verify_mode(ssl::verify_peer);
  if (max_version) SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
  return ctx;
}

struct HttpsResult {
  int status = 0;
  http::response<http::string_body> res;
  std::string leaf_sha256;
  std::string error;
};

HttpsResult https_get(std::uint16_t port, const fs::path& ca, const std::string& target, int max_version = 0) {
  HttpsResult r;
  asio::io_context io;
  auto ctx = client_context(ca, max_version);
  beast::ssl_stream<beast::tcp_stream> s(io, ctx);
  beast::get_lowest_layer(s).expires_after(5s);
  beast::error_code ec;
  beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (!ec) s.handshake(ssl::stream_base::client, ec);
  if (ec) {
    r.error = ec.message();
    return r;
  }
  r.leaf_sha256 = sha256_of_leaf(s.native_handle());
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  http::write(s, req, ec);
  beast::flat_buffer buf;
  if (!ec) http::read(s, buf, r.res, ec);
  if (ec) r.error = ec.message();
  r.status = static_cast<int>(r.res.result_int());
  return r;
}

// A wss client, synchronous and small: what the bots and browsers do over TLS.
struct WssClient {
  asio::io_context io;
  ssl::context ctx;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  explicit WssClient(std::uint16_t port, const fs::path& ca) : ctx(client_context(ca)), ws(io, ctx) {
    beast::get_lowest_layer(ws).expires_after(5s);
    beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws.next_layer().handshake(ssl::stream_base::client);
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout{5s, 5s, false});
    ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
  }
  json::object exchange(const std::string& text, const std::string& wanted_key) {
    ws.write(asio::buffer(text));
    for (int i = 0; i < 20; ++i) {
      beast::flat_buffer buf;
      ws.read(buf);
      auto v = json::parse(beast::buffers_to_string(buf.data()));
      if (v.is_object() && v.as_object().contains(wanted_key)) return v.as_object();
    }
    return {};
  }
};

// A raw TCP connection, to send what is not TLS.
int raw_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  timeval tv{8, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string read_until_closed(int fd) {
  std::string got;
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

std::vector<std::string> tls_args(const fs::path& dir) {
  return {"--tls-cert", (dir / "server.pem").string(), "--tls-key", (dir / "server.key").string()};
}

}  // namespace

TEST(Tls, HttpsAndWssOnTheListenPortWithHstsAndPlainHttpRedirected) {
  TempDir tmp;
  dev_ca(tmp.path);
  ServerProcess server(tls_args(tmp.path));
  auto page = https_get(server.port(), tmp.path / "ca.pem", "/healthz");
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.status, 200);
  auto root = https_get(server.port(), tmp.path / "ca.pem", "/");
  EXPECT_EQ(root.res["Strict-Transport-Security"], "max-age=31536000");
  EXPECT_EQ(root.res["Cross-Origin-Opener-Policy"], "same-origin");  // https is a secure context

  WssClient a(server.port(), tmp.path / "ca.pem");
  WssClient b(server.port(), tmp.path / "ca.pem");
  const auto ra = a.exchange(R"({"register":{"node_name":"tls-a"}})", "register");
  const auto rb = b.exchange(R"({"register":{"node_name":"tls-b"}})", "register");
  ASSERT_TRUE(ra.contains("node_id") && rb.contains("node_id"));
  // A relay between two wss clients.
  const std::string to = std::string(rb.at("node_id").as_string());
  const std::string from = std::string(ra.at("node_id").as_string());
  a.ws.write(asio::buffer(R"({"ice_offer":{"offer_json":"{\"candidate\":\"x\"}","from_node_id":")" + from +
                          R"(","to_node_id":")" + to + R"("}})"));
  bool relayed = false;
  for (int i = 0; i < 10 && !relayed; ++i) {
    beast::flat_buffer buf;
    b.ws.read(buf);
    relayed = beast::buffers_to_string(buf.data()).find("ice_offer") != std::string::npos;
  }
  EXPECT_TRUE(relayed);

  // Plain http on the TLS port: a redirect to the same URL over https.
  auto plain = http_request(server.port(), "GET", "/chat?x=1");
  EXPECT_EQ(plain.status, 308);
  EXPECT_EQ(plain.header("location"), "https://127.0.0.1:" + std::to_string(server.port()) + "/chat?x=1");
}

TEST(Tls, TlsOlderThan12IsRefusedAndTheServerKeepsServing) {
  TempDir tmp;
  dev_ca(tmp.path);
  ServerProcess server(tls_args(tmp.path));
  auto old = https_get(server.port(), tmp.path / "ca.pem", "/healthz", TLS1_1_VERSION);
  EXPECT_NE(old.error, "");
  EXPECT_EQ(old.status, 0);
  EXPECT_EQ(https_get(server.port(), tmp.path / "ca.pem", "/healthz").status, 200);
}

TEST(Tls, GarbageAndStalledHandshakesDoNoHarm) {
  TempDir tmp;
  dev_ca(tmp.path);
  ServerProcess server([&] {
    auto a = tls_args(tmp.path);
    a.insert(a.end(), {"--metrics", "true"});
    return a;
  }());
  // Not TLS and not HTTP: a clear 400, then the connection ends.
  int fd = raw_connect(server.port());
  const std::string garbage = "\x01\x02garbage\r\n\r\n";
  ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
  EXPECT_NE(read_until_closed(fd).find("400"), std::string::npos);
  ::close(fd);
  // A TLS record header announcing a ClientHello that is not one: the handshake fails and the
  // connection is closed.
  fd = raw_connect(server.port());
  std::string bad_hello("\x16\x03\x01\x00\x30\x01\x00\x00\x2c\x03\x03", 11);
  bad_hello += std::string(0x30 - 6, '\xee');  // the rest of the ClientHello: junk
  ::send(fd, bad_hello.data(), bad_hello.size(), 0);
  read_until_closed(fd);
  ::close(fd);
  // Half a ClientHello, then silence: cut off by the upgrade timeout (10 s), not held forever.
  fd = raw_connect(server.port());
  const std::string half("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  ::send(fd, half.data(), half.size(), 0);
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto started = std::chrono::steady_clock::now();
  read_until_closed(fd);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_LT(waited, 14s) << "a stalled handshake must be timed out";
  ::close(fd);
  EXPECT_EQ(https_get(server.port(), tmp.path / "ca.pem", "/healthz").status, 200);
  const auto metrics = https_get(server.port(), tmp.path / "ca.pem", "/metrics").res.body();
  EXPECT_NE(metrics.find("parley_tls_handshake_failures_total 2"), std::string::npos) << metrics;
}

TEST(Tls, BadCertificateOrKeyFilesStopTheStartWithAClearMessage) {
  TempDir tmp;
  dev_ca(tmp.path);
  const auto cert = (tmp.path / "server.pem").string();
  const auto key = (tmp.path / "server.key").string();
  const auto data = (tmp.path / "data").string();
  auto start = [&](const std::string& c, const std::string& k) {
    return run_server_cli({"--listen", "127.0.0.1:0", "--env-file", "", "--data-dir", data, "--management-listen",
                           (tmp.path / "m.sock").string(), "--tls-cert", c, "--tls-key", k},
                          10s);
  };
  auto missing = start((tmp.path / "nope.pem").string(), key);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.pem: cannot read it"), std::string::npos) << missing.err;

  std::ofstream(tmp.path / "empty.key").close();
  auto empty = start(cert, (tmp.path / "empty.key").string());
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty.key: the file is empty"), std::string::npos) << empty.err;

  std::ofstream(tmp.path / "junk.pem") << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto junk = start((tmp.path / "junk.pem").string(), key);
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("not a PEM certificate chain"), std::string::npos) << junk.err;

  self_signed(tmp.path / "other.pem", tmp.path / "other.key", 0, 30);
  auto mismatch = start(cert, (tmp.path / "other.key").string());
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.err.find("is not the key of the certificate"), std::string::npos) << mismatch.err;

  self_signed(tmp.path / "expired.pem", tmp.path / "expired.key", -30, -1);
  auto expired = start((tmp.path / "expired.pem").string(), (tmp.path / "expired.key").string());
  EXPECT_EQ(expired.exit_code, 2);
  EXPECT_NE(expired.err.find("expired on"), std::string::npos) << expired.err;

  auto half = run_server_cli({"--env-file", "", "--tls-cert", cert}, 10s);
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("--tls-cert and --tls-key go together"), std::string::npos) << half.err;
}

TEST(Tls, SighupSwapsTheCertificateAndOpenConnectionsStayUp) {
  TempDir first, second;
  dev_ca(first.path);
  dev_ca(second.path);  // another CA and certificate
  TempDir live;
  fs::copy_file(first.path / "server.pem", live.path / "server.pem");
  fs::copy_file(first.path / "server.key", live.path / "server.key");
  ServerProcess server(tls_args(live.path));
  WssClient open(server.port(), first.path / "ca.pem");
  ASSERT_TRUE(open.exchange(R"({"register":{"node_name":"stays"}})", "register").contains("node_id"));
  EXPECT_EQ(https_get(server.port(), first.path / "ca.pem", "/healthz").leaf_sha256, sha256_of_file(first.path / "server.pem"));

  fs::copy_file(second.path / "server.pem", live.path / "server.pem", fs::copy_options::overwrite_existing);
  fs::copy_file(second.path / "server.key", live.path / "server.key", fs::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  std::string now;
  for (int i = 0; i < 50 && now != sha256_of_file(second.path / "server.pem"); ++i) {
    std::this_thread::sleep_for(50ms);
    now = https_get(server.port(), second.path / "ca.pem", "/healthz").leaf_sha256;
  }
  EXPECT_EQ(now, sha256_of_file(second.path / "server.pem")) << "the next handshake shows the new certificate";
  // The WebSocket opened before the reload still works.
  EXPECT_TRUE(open.exchange(R"({"echo":{"direction":"ping","correlation_id":"after-hup"}})", "echo").contains("echo"));

  // A broken file on the next SIGHUP: the server keeps the certificate it has.
  std::ofstream(live.path / "server.pem") << "broken";
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(https_get(server.port(), second.path / "ca.pem", "/healthz").leaf_sha256, sha256_of_file(second.path / "server.pem"));
  EXPECT_TRUE(server.running());
}

TEST(Tls, RecordsThatArriveTogetherAreAllRelayedInOrder) {
  // Each frame in its own TLS record (some larger than one record, 16 KiB), written back to back,
  // then the close frame: the server decrypts all records already received in one read, and
  // must lose or reorder none of them, nor the close frame behind them.
  TempDir tmp;
  dev_ca(tmp.path);
  auto args = tls_args(tmp.path);
  args.insert(args.end(), {"--rate-limit", "1000", "--rate-burst", "1000"});
  ServerProcess server(args);
  WssClient a(server.port(), tmp.path / "ca.pem");
  WssClient b(server.port(), tmp.path / "ca.pem");
  const auto ra = a.exchange(R"({"register":{"node_name":"tls-a"}})", "register");
  const auto rb = b.exchange(R"({"register":{"node_name":"tls-b"}})", "register");
  ASSERT_TRUE(ra.contains("node_id") && rb.contains("node_id"));
  const std::string from = std::string(ra.at("node_id").as_string()), to = std::string(rb.at("node_id").as_string());
  constexpr int kFrames = 40;
  a.ws.auto_fragment(false);
  for (int i = 0; i < kFrames; ++i) {
    const std::string pad(i % 5 == 0 ? 20000 : 100, 'p');
    a.ws.write(asio::buffer(R"({"ice_offer":{"offer_json":"{\"candidate\":\"c)" + std::to_string(i) + " " + pad +
                            R"(\"}","from_node_id":")" + from + R"(","to_node_id":")" + to + R"("}})"));
  }
  // The server echoes the close frame, then ends TLS with a close_notify of its own before its
  // FIN: Beast's TLS teardown reports a TCP close without one as stream_truncated, a lost close
  // frame as a timeout.
  beast::error_code closed;
  a.ws.close(websocket::close_code::normal, closed);
  EXPECT_FALSE(closed) << closed.message();
  std::vector<int> got;
  for (int i = 0; i < 3 * kFrames && got.size() < kFrames; ++i) {
    beast::flat_buffer buf;
    b.ws.read(buf);
    const auto text = beast::buffers_to_string(buf.data());
    const std::string mark = R"(\"candidate\":\"c)";  // inside the escaped offer_json
    const auto at = text.find(mark);
    if (text.find("ice_offer") != std::string::npos && at != std::string::npos) got.push_back(std::stoi(text.substr(at + mark.size())));
  }
  std::vector<int> want(kFrames);
  for (int i = 0; i < kFrames; ++i) want[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(got, want);
}
