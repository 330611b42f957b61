#pragma once
// A local stand-in for GitHub's OAuth and user API (PROTOCOL.md §4.2), speaking the real
// endpoints on a loopback port so that parley-server's GitHub login runs end to end:
//   GET  /login/oauth/authorize        302 back to redirect_uri with code and state
//   POST /login/oauth/access_token     form body (client_id, client_secret, code, redirect_uri)
//   GET  /user                         Bearer access token
//   DELETE /applications/<id>/token    basic auth, {"access_token":...}: revocation
//   GET  /avatars/<name>               images for the avatar relay (png, svg)
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::conformance {

class GithubStandIn {
public:
  struct User {
    std::int64_t id = 583231;
    std::string login = "octocat";
    std::string name = "The Octocat";
    std::string avatar_path = "/avatars/octocat.png";  // served here; empty = no avatar_url
  };

  GithubStandIn(std::string client_id, std::string client_secret);
  ~GithubStandIn();

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The user the next authorization logs in as.
  void set_user(User user);
  // What parley-server did, for assertions.
  std::vector<std::string> revoked_tokens();
  std::vector<std::string> token_request_bodies();
  std::string last_authorize_query();
  int user_requests();

private:
  struct Reply {
    int status = 200;
    std::string content_type, body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  void serve();
  Reply handle(const std::string& method, const std::string& target, const std::map<std::string, std::string>& headers,
               const std::string& body);

  std::string client_id_, client_secret_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  User user_;
  std::map<std::string, User> codes_;   // code -> user, single use
  std::map<std::string, User> tokens_;  // access token -> user
  std::vector<std::string> revoked_, token_bodies_;
  std::string authorize_query_;
  int user_requests_ = 0;
  int counter_ = 0;
};

}  // namespace parley::conformance
