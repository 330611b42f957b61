#include "github_stand_in.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <stdexcept>

#include "accounts_support.hpp"

namespace parley::conformance {
namespace bhttp = boost::beast::http;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* kSvg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";

}  // namespace

GithubStandIn::GithubStandIn(std::string client_id, std::string client_secret)
    : client_id_(std::move(client_id)), client_secret_(std::move(client_secret)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // a free port: tests run in parallel
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("GitHub stand-in: cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

GithubStandIn::~GithubStandIn() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

void GithubStandIn::set_user(User user) {
  std::lock_guard lock(mutex_);
  user_ = std::move(user);
}

std::vector<std::string> GithubStandIn::revoked_tokens() {
  std::lock_guard lock(mutex_);
  return revoked_;
}

std::vector<std::string> GithubStandIn::token_request_bodies() {
  std::lock_guard lock(mutex_);
  return token_bodies_;
}

std::string GithubStandIn::last_authorize_query() {
  std::lock_guard lock(mutex_);
  return authorize_query_;
}

int GithubStandIn::user_requests() {
  std::lock_guard lock(mutex_);
  return user_requests_;
}

void GithubStandIn::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    // One request per connection (answered with Connection: close).
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    std::string pending;
    boost::beast::error_code ec;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!parser.is_done() && std::chrono::steady_clock::now() < deadline) {
      pollfd c{fd, POLLIN, 0};
      if (::poll(&c, 1, 50) <= 0) continue;
      char buf[16384];
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      while (!pending.empty() && !parser.is_done()) {
        const auto used = parser.put(boost::asio::buffer(pending), ec);
        if (ec == bhttp::error::need_more) {
          ec = {};
          break;
        }
        if (ec) break;
        pending.erase(0, used);
        if (used == 0) break;
      }
      if (ec) break;
    }
    if (parser.is_done()) {
      const auto& req = parser.get();
      std::map<std::string, std::string> headers;
      for (const auto& f : req) headers[lower(std::string(f.name_string()))] = std::string(f.value());
      Reply r = handle(std::string(req.method_string()), std::string(req.target()), headers, req.body());
      std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nConnection: close\r\n";
      if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
      for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
      std::size_t sent = 0;
      while (sent < out.size()) {
        const auto n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
    }
    ::close(fd);
  }
}

GithubStandIn::Reply GithubStandIn::handle(const std::string& method, const std::string& target,
                                           const std::map<std::string, std::string>& headers, const std::string& body) {
  std::lock_guard lock(mutex_);
  const std::string path = target.substr(0, target.find('?'));
  auto header = [&](const std::string& name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  auto json_reply = [](int status, const boost::json::value& v) {
    return Reply{status, "application/json; charset=utf-8", boost::json::serialize(v), {}};
  };

  if (method == "GET" && path == "/login/oauth/authorize") {
    authorize_query_ = target.substr(path.size());
    auto q = query_of(target);
    if (q["client_id"] != client_id_) return Reply{404, "text/plain", "unknown client", {}};
    const std::string code = "code" + std::to_string(++counter_);
    codes_[code] = user_;
    // The user approves at once; GitHub then sends the browser back with code and state.
    const std::string location = q["redirect_uri"] + "?code=" + code + "&state=" + url_encode(q["state"]);
    return Reply{302, "text/html", "", {{"Location", location}}};
  }
  if (method == "POST" && path == "/login/oauth/access_token") {
    token_bodies_.push_back(body);
    auto form = query_of("?" + body);
    if (form["client_id"] != client_id_ || form["client_secret"] != client_secret_)
      return json_reply(200, {{"error", "incorrect_client_credentials"}, {"error_description", "bad client"}});
    auto it = codes_.find(form["code"]);
    if (it == codes_.end())
      return json_reply(200, {{"error", "bad_verification_code"}, {"error_description", "The code is incorrect."}});
    const std::string token = "gho_standin" + std::to_string(++counter_);
    tokens_[token] = it->second;
    codes_.erase(it);
    return json_reply(200, {{"access_token", token}, {"token_type", "bearer"}, {"scope", "read:user"}});
  }
  if (method == "GET" && path == "/user") {
    ++user_requests_;
    const std::string auth = header("authorization");
    auto it = auth.rfind("Bearer ", 0) == 0 ? tokens_.find(auth.substr(7)) : tokens_.end();
    if (it == tokens_.end()) return json_reply(401, {{"message", "Bad credentials"}});
    const User& u = it->second;
    boost::json::object o{{"id", u.id}, {"login", u.login}, {"name", u.name}};
    o["avatar_url"] = u.avatar_path.empty() ? boost::json::value(nullptr) : boost::json::value(base_url() + u.avatar_path);
    return json_reply(200, o);
  }
  if (method == "DELETE" && path == "/applications/" + client_id_ + "/token") {
    if (header("authorization") != "Basic " + base64_std(client_id_ + ":" + client_secret_))
      return json_reply(401, {{"message", "Requires authentication"}});
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("access_token")) return json_reply(422, {{"message", "bad"}});
    revoked_.push_back(std::string(v.as_object().at("access_token").as_string()));
    return Reply{204, "", "", {}};
  }
  if (method == "GET" && path == "/avatars/octocat.png") return Reply{200, "image/png", tiny_png(), {}};
  if (method == "GET" && path == "/avatars/evil.svg") return Reply{200, "image/svg+xml", kSvg, {}};
  return json_reply(404, {{"message", "Not Found"}});
}

}  // namespace parley::conformance
