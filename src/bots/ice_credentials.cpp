#include "bots/ice_credentials.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

namespace parley::bots {
namespace json = boost::json;

std::string derive_ice_servers_endpoint(std::string_view ws_url) {
  auto url = boost::urls::parse_uri(ws_url);
  if (!url) return {};
  std::string scheme;
  if (url->scheme() == "ws") scheme = "http";
  else if (url->scheme() == "wss") scheme = "https";
  else return {};
  std::string path(url->encoded_path());
  const auto slash = path.rfind('/');
  path = (slash == std::string::npos ? std::string("/") : path.substr(0, slash + 1)) + "ice-servers";
  std::string authority(url->encoded_host_and_port());
  return scheme + "://" + authority + path;
}

std::optional<std::int64_t> credential_expiry(std::string_view username) {
  const auto digits = username.substr(0, username.find(':'));
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<std::vector<FetchedIceServer>> parse_ice_servers(std::string_view body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* list = v.get_object().if_contains("iceServers");
  if (!list || !list->is_array()) return std::nullopt;
  std::vector<FetchedIceServer> out;
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.get_object();
    FetchedIceServer f;
    // RTCIceServer allows one URL as a string or a list of them.
    if (const auto* urls = o.if_contains("urls"); urls && urls->is_string()) {
      f.server.urls.emplace_back(urls->get_string());
    } else if (urls && urls->is_array()) {
      for (const auto& u : urls->get_array())
        if (u.is_string()) f.server.urls.emplace_back(u.get_string());
    }
    if (f.server.urls.empty()) continue;
    if (const auto* u = o.if_contains("username"); u && u->is_string()) f.server.username = u->get_string();
    if (const auto* c = o.if_contains("credential"); c && c->is_string()) f.server.credential = c->get_string();
    f.expires_s = credential_expiry(f.server.username);
    out.push_back(std::move(f));
  }
  return out;
}

std::chrono::seconds refresh_delay(std::int64_t now_s, std::optional<std::int64_t> expires_s) {
  using std::chrono::seconds;
  if (!expires_s) return std::chrono::minutes(10);
  const std::int64_t remaining = *expires_s - now_s;
  const std::int64_t delay = std::min(remaining / 2, remaining - 60);
  return seconds(std::max<std::int64_t>(delay, 10));
}

std::chrono::seconds retry_delay(int failures) {
  const int doublings = std::clamp(failures - 1, 0, 6);  // 5 s << 6 = 320 s > the cap already
  return std::min(std::chrono::seconds(5 << doublings), std::chrono::seconds(300));
}

std::vector<peer::IceServer> unexpired(const std::vector<FetchedIceServer>& fetched, std::int64_t now_s) {
  std::vector<peer::IceServer> out;
  for (const auto& f : fetched)
    if (!f.expires_s || *f.expires_s > now_s) out.push_back(f.server);
  return out;
}

}  // namespace parley::bots
