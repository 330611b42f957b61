#pragma once
// Helpers for the accounts conformance tests: the management socket spoken by hand, the
// `parley-server` CLI run as a child process, JWTs forged with the server's own key, a tiny
// browser (cookie jar, redirects by hand) and temporary directories.
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

namespace parley::conformance {

struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// A server with its data dir and management socket in `dir` (kept across restarts).
std::vector<std::string> account_args(const TempDir& dir, std::vector<std::string> more = {});
std::filesystem::path socket_path(const TempDir& dir);

// One HTTP request over the management socket, written as raw bytes (so tests can send broken
// ones). Write errors are tolerated: the server may answer before reading everything.
HttpResult management_raw(const std::filesystem::path& socket, const std::string& request_bytes);
HttpResult management(const std::filesystem::path& socket, const std::string& method, const std::string& target,
                      const std::string& content_type = "", const std::string& body = "");
// POST /bots/add with JSON; returns the token (fails the test otherwise).
std::string add_bot(const std::filesystem::path& socket, const std::string& username,
                    const std::string& display_name = "", const std::string& avatar_url = "");

// GET /api/conns (expects 200): the peer list, by node id.
json::object conns(std::uint16_t port, const Headers& headers = {});

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};
// `parley-server <args...>`, with a timeout.
CliResult run_server_cli(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(20));

// JWTs. `key` is the raw HMAC key (the server's <data-dir>/jwt-secret.key).
std::string read_file(const std::filesystem::path& file);
std::string base64url(const std::string& bytes);
std::string base64_std(const std::string& bytes);
std::string sign_jwt(const std::string& header_json, const std::string& payload_json, const std::string& key,
                     const std::string& hmac = "SHA256");
std::string jwt_payload_json(const std::string& token);  // the decoded middle part
std::int64_t unix_now();

// A 1x1 PNG, and its data URL.
std::string tiny_png();
std::string tiny_png_data_url();

// Minimal browser: keeps `session_id`, follows nothing by itself.
struct Browser {
  std::string session_id;
  std::string cookie_header() const { return session_id.empty() ? "" : "session_id=" + session_id; }
  // GET/POST to this server; stores a session_id from Set-Cookie (Max-Age=0 clears it).
  HttpResult request(std::uint16_t port, const std::string& method, const std::string& target, Headers headers = {});
};

// URL pieces for redirects: "http://127.0.0.1:5/a?b" -> port 5, target "/a?b".
struct UrlParts {
  std::string scheme, host;
  std::uint16_t port = 0;
  std::string target;
};
UrlParts split_url(const std::string& url);
std::map<std::string, std::string> query_of(const std::string& target);
std::string url_decode(const std::string& s);
std::string url_encode(const std::string& s);

}  // namespace parley::conformance
