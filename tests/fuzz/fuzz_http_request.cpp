// libFuzzer target: raw bytes as the byte stream of one HTTP/1.1 connection. Beast's request
// parser reads it with the HTTP session's limits, in two pieces (split where the first byte says)
// and pipelined requests one after another; each complete request goes where the session sends
// it: a WebSocket upgrade on the signalling path to the handshake checks, anything else to the
// real HttpRoutes (API, /servers.json, static files and SPA fallback on a temporary web root).
// Each answer is serialized as the server writes it and parsed back as a client would. Checked:
// - the status is a known code, and the bytes are exactly one well-framed response;
// - a HEAD answer has no body, and the status and Content-Length of the GET answer;
// - no answer ever carries the file outside the web root (symlinks inside lead to it, F9);
// - a request that asks to close gets no keep-alive answer;
// - an accepted WebSocket key is plain base64 and the 101 answer is exactly one header block;
// - a Host the named-hosts check lets through names one of those hosts (DNS rebinding, F9).
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "signalling/clock.hpp"
#include "signalling/identity.hpp"
#include "signalling/name_policy.hpp"
#include "signalling/routing/local_presence.hpp"
#include "signalling/routing/local_router.hpp"
#include "signalling/signalling_service.hpp"
#include "transport/http_routes.hpp"
#include "transport/origin_policy.hpp"
#include "transport/server_config.hpp"
#include "transport/ws_handshake.hpp"
#include "transport/ws_hub.hpp"

namespace {
namespace fs = std::filesystem;
namespace http = boost::beast::http;
using namespace parley;

// The limits of transport/http_session.cpp, read from that file by CMakeLists.txt.
constexpr std::size_t kMaxHeaderBytes = PARLEY_HTTP_MAX_HEADER_BYTES;
constexpr std::size_t kMaxBodyBytes = PARLEY_HTTP_MAX_BODY_BYTES;
constexpr int kMaxRequestsPerInput = 8;
constexpr std::string_view kSecret = "PARLEY-FUZZ-SECRET-5b1e0c";

void check(bool ok) {
  if (!ok) std::abort();
}

void write_file(const fs::path& path, std::string_view content) { std::ofstream(path, std::ios::binary) << content; }

// <tmp>/secret.txt lies outside the web root <tmp>/root; root/leak.txt and root/up (-> ..)
// are symlinks that lead to it.
fs::path make_web_root() {
  std::string dir = (fs::temp_directory_path() / "parley-fuzz-http-XXXXXX").string();
  check(::mkdtemp(dir.data()) != nullptr);
  const fs::path base(dir), root = base / "root";
  fs::create_directories(root / "assets");
  write_file(base / "secret.txt", std::string(kSecret) + "\n");
  write_file(root / "index.html", "<!doctype html><title>Parley</title>\n");
  write_file(root / "assets" / "x.js", "console.log('parley');\n");
  write_file(root / "assets" / "app.css", "body{margin:0}\n");
  fs::create_symlink(base / "secret.txt", root / "leak.txt");
  fs::create_symlink("..", root / "up");
  return base;
}

// The server as server_main.cpp wires it, without accounts (anonymous callers only).
struct Server {
  fs::path tmp = make_web_root();
  boost::asio::io_context io;
  signalling::SystemClock clock;
  signalling::LocalRouter router;
  signalling::NoReservedNames names;
  signalling::EveryoneSeesEveryone everyone;
  signalling::LocalPresence presence{everyone};
  signalling::SignallingService service{router, presence, names, clock, {}};
  signalling::AnonymousIdentityResolver identities;
  transport::ServerConfig config = make_config(tmp / "root");
  transport::WsHub hub{io, service, clock, config.ws};
  transport::HttpRoutes routes{config, service, hub, identities};
  // --allowed-host chat.example.com: only the Host check is run with it.
  transport::OriginPolicy named_hosts{{}, true, {"chat.example.com"}};

  ~Server() {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
  }

  static transport::ServerConfig make_config(const fs::path& root) {
    transport::ServerConfig c;
    c.web_root.dir = root.string();
    c.origins.allowed_origins = {"https://chat.example.com"};
    c.servers_json = R"([{"name":"here","url":"/"}])";
    return c;
  }
};

Server& server() {
  static Server s;
  return s;
}

// A SyncWriteStream that keeps what is written: the bytes the session would send.
struct StringStream {
  std::string out;
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, boost::beast::error_code& ec) {
    ec = {};
    const auto before = out.size();
    for (const auto b : boost::beast::buffers_range_ref(buffers)) out.append(static_cast<const char*>(b.data()), b.size());
    return out.size() - before;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    boost::beast::error_code ec;
    return write_some(buffers, ec);
  }
};

std::string serialize(transport::Response& response) {
  StringStream stream;
  boost::beast::error_code ec;
  std::visit([&](auto& res) { http::write(stream, res, ec); }, response);
  check(!ec);
  return stream.out;
}

// The answer as a client reads it: one complete response that uses every byte.
http::response<http::string_body> parse_back(const std::string& wire, bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);  // the answer to HEAD has headers only
  parser.body_limit(boost::none);
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(wire), ec);
  check(!ec && parser.is_done() && used == wire.size());
  return parser.release();
}

bool known_status(unsigned code) {
  return code >= 100 && code <= 599 && http::int_to_status(code) != http::status::unknown;
}

transport::Response dispatch(const transport::Request& req) {
  std::optional<transport::Response> answer;
  server().routes.handle(req, [&](transport::Response res, std::function<void()>) {
    check(!answer);  // answered once
    answer = std::move(res);
  });
  check(answer.has_value());  // no async route is installed: the answer comes at once
  return std::move(*answer);
}

// Checks an answer on the wire and returns it as the client reads it. (Serialized once: a file
// body is read as it is written.)
http::response<http::string_body> check_response(const transport::Request& req, transport::Response& response) {
  const bool head = req.method() == http::verb::head;
  if (head) check(std::holds_alternative<transport::StringResponse>(response) &&
                  std::get<transport::StringResponse>(response).body().empty());
  const std::string wire = serialize(response);
  check(wire.find(kSecret) == std::string::npos);
  if (head) check(wire.find("\r\n\r\n") + 4 == wire.size());
  auto res = parse_back(wire, head);
  check(known_status(res.result_int()));
  if (!req.keep_alive()) check(!res.keep_alive());
  return res;
}

// HEAD is GET without the body: same status, and the Content-Length GET's body has.
void check_head_matches_get(const transport::Request& head_req, const http::response<http::string_body>& head) {
  transport::Request get_req = head_req;
  get_req.method(http::verb::get);
  auto get_res = dispatch(get_req);
  const auto get = check_response(get_req, get_res);
  check(head.result() == get.result());
  if (get.has_content_length()) check(head[http::field::content_length] == std::to_string(get.body().size()));
}

// What BasicHttpSession::upgrade checks before it answers 101.
void check_upgrade(const transport::Request& req) {
  const auto& config = server().config;
  const bool has_origin = req.count(http::field::origin) > 0;
  if (!config.origins.accepts_websocket(req[http::field::origin], has_origin, req[http::field::host])) return;
  if (req[http::field::sec_websocket_version] != "13") return;
  const auto key = req[http::field::sec_websocket_key];
  if (!transport::is_valid_websocket_key(key)) return;
  for (const char c : key)
    check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=');
  const std::string answer = transport::websocket_upgrade_response(key);
  check(answer.rfind("HTTP/1.1 101 ", 0) == 0 && answer.find("\r\n\r\n") + 4 == answer.size());
}

// Returns whether the connection stays open for another request (BasicHttpSession::on_read).
bool handle(const transport::Request& req) {
  const auto host = req[http::field::host];
  if (server().named_hosts.host_allowed(host)) check(transport::host_name_of(host) == "chat.example.com");
  const auto target = req.target();
  const auto path = target.substr(0, target.find('?'));
  const auto& ws_path = server().config.ws_path;
  if ((path == ws_path || path == "/api" + ws_path) && boost::beast::websocket::is_upgrade(req)) {
    check_upgrade(req);
    return false;  // the connection becomes a WebSocket, or is refused and closed
  }
  auto response = dispatch(req);
  const auto answer = check_response(req, response);
  if (req.method() == http::verb::head) check_head_matches_get(req, answer);
  return answer.keep_alive();
}

// The connection's bytes arrive as `first`, then `second`; each request gets a fresh parser with
// the session's settings (async_read parses eagerly), and what follows it is the next request.
void run_connection(std::string_view first, std::string_view second) {
  std::string pending;
  std::optional<http::request_parser<http::string_body>> parser;
  int requests = 0;
  for (const std::string_view piece : {first, second}) {
    pending.append(piece);
    while (!pending.empty()) {
      if (!parser) {
        parser.emplace();
        parser->header_limit(kMaxHeaderBytes);
        parser->body_limit(kMaxBodyBytes);
        parser->eager(true);
      }
      boost::beast::error_code ec;
      const std::size_t used = parser->put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (ec == http::error::need_more) break;
      if (ec) return;  // the session answers 400 or 413 and closes
      if (!parser->is_done()) {
        if (used == 0) break;
        continue;
      }
      const auto req = parser->release();
      parser.reset();
      if (!handle(req) || ++requests == kMaxRequestsPerInput) return;
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size == 0 ? 0 : size * data[0] / 256;
  run_connection(bytes.substr(0, split), bytes.substr(split));
  return 0;
}
