#include "accounts_support.hpp"
#include "http_result.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace parley::conformance {
namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace bhttp = beast::http;

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "parley-accounts-XXXXXX").string();
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path = templ;
}
TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

std::vector<std::string> account_args(const TempDir& dir, std::vector<std::string> more) {
  std::vector<std::string> args = {"--data-dir", (dir.path / "data").string(), "--management-listen",
                                   socket_path(dir).string()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

fs::path socket_path(const TempDir& dir) { return dir.path / "run" / "management.sock"; }

json::object conns(std::uint16_t port, const Headers& headers) {
  auto r = http_request(port, "GET", "/api/conns", headers);
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body).as_object();
}

namespace {

HttpResult parse_response(const std::string& bytes) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec || n == 0) break;
    used += n;
  }
  if ((ec && ec != bhttp::error::need_more) || !parser.is_header_done())
    throw std::runtime_error("bad HTTP response: " + bytes.substr(0, 200));
  if (!parser.is_done()) parser.put_eof(ec);
  return to_http_result(parser.release());
}

}  // namespace

HttpResult management_raw(const fs::path& socket, const std::string& request_bytes) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to " + socket.string() + ": " + std::strerror(errno));
  }
  // Write and read together: the server may answer (413) before it has read everything.
  std::size_t sent = 0;
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool write_open = true;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, static_cast<short>(POLLIN | (write_open && sent < request_bytes.size() ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    if (p.revents & POLLOUT) {
      const auto n = ::send(fd, request_bytes.data() + sent, request_bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<std::size_t>(n);
      else if (errno != EAGAIN) write_open = false;
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) received.append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EAGAIN) break;
    }
  }
  ::close(fd);
  return parse_response(received);
}

HttpResult management(const fs::path& socket, const std::string& method, const std::string& target,
                      const std::string& content_type, const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return management_raw(socket, req);
}

std::string add_bot(const fs::path& socket, const std::string& username, const std::string& display_name,
                    const std::string& avatar_url) {
  json::object body{{"username", username}};
  if (!display_name.empty()) body["display_name"] = display_name;
  if (!avatar_url.empty()) body["avatar_url"] = avatar_url;
  auto r = management(socket, "POST", "/bots/add", "application/json", json::serialize(body));
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return std::string(json::parse(r.body).as_object().at("token").as_string());
}

CliResult run_server_cli(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    std::vector<std::string> all = {PARLEY_SERVER_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CliResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && std::chrono::steady_clock::now() < deadline) {
    pollfd p[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
      const auto n = ::read(p[i].fd, buf, sizeof buf);
      if (n > 0) (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      else (i == 0 ? out_open : err_open) = false;
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (out_open || err_open) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string base64_std(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url(const std::string& bytes) {
  std::string s = base64_std(bytes);
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string sign_jwt(const std::string& header_json, const std::string& payload_json, const std::string& key,
                     const std::string& hmac) {
  const std::string input = base64url(header_json) + "." + base64url(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* md = hmac == "SHA384" ? EVP_sha384() : EVP_sha256();
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
       mac, &len);
  return input + "." + base64url(std::string(reinterpret_cast<char*>(mac), len));
}

std::string jwt_payload_json(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  std::string part = token.substr(a + 1, b - a - 1);
  for (auto& c : part) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (part.size() % 4) part.push_back('=');
  std::string out(part.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(part.data()), static_cast<int>(part.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // DecodeBlock pads with zero bytes
  return out;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string tiny_png() {
  static const unsigned char png[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
      0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff,
      0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(png), sizeof png);
}

std::string tiny_png_data_url() { return "data:image/png;base64," + base64_std(tiny_png()); }

HttpResult Browser::request(std::uint16_t port, const std::string& method, const std::string& target, Headers headers) {
  if (!session_id.empty()) headers.emplace_back("Cookie", cookie_header());
  auto r = http_request(port, method, target, headers);
  const auto set_cookie = r.header("set-cookie");
  if (set_cookie.rfind("session_id=", 0) == 0) {
    const auto end = set_cookie.find(';');
    session_id = set_cookie.substr(11, end == std::string::npos ? std::string::npos : end - 11);
    if (set_cookie.find("Max-Age=0") != std::string::npos) session_id.clear();
  }
  return r;
}

UrlParts split_url(const std::string& url) {
  UrlParts u;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw std::runtime_error("not an absolute URL: " + url);
  u.scheme = url.substr(0, scheme_end);
  const auto host_start = scheme_end + 3;
  const auto path_start = url.find('/', host_start);
  const std::string authority = url.substr(host_start, path_start - host_start);
  const auto colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  u.port = colon == std::string::npos ? static_cast<std::uint16_t>(u.scheme == "https" ? 443 : 80)
                                      : static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
  u.target = path_start == std::string::npos ? "/" : url.substr(path_start);
  return u;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out.push_back(' ');
    else if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else out.push_back(s[i]);
  }
  return out;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::map<std::string, std::string> query_of(const std::string& target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string::npos) return out;
  std::stringstream ss(target.substr(q + 1));
  std::string pair;
  while (std::getline(ss, pair, '&')) {
    const auto eq = pair.find('=');
    out.emplace(url_decode(pair.substr(0, eq)), eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1)));
  }
  return out;
}

}  // namespace parley::conformance
