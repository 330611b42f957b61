#include "accounts/avatar_fetcher.hpp"

#include <spdlog/spdlog.h>

#include "accounts/avatar.hpp"
#include "accounts/text_rules.hpp"

namespace parley::accounts {

AvatarFetcher::AvatarFetcher(OutboundHttp& http, AvatarFetchConfig config) : http_(http), config_(config) {}

std::optional<HttpReply> AvatarFetcher::cached(std::string_view url, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(url));
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.stored_at >= config_.cache_ttl_seconds || now < it->second.stored_at) {
    bytes_ -= it->second.bytes.size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return avatar_reply(it->second.mime, it->second.bytes);
}

void AvatarFetcher::evict_one_locked() {
  auto it = entries_.find(lru_.back());
  bytes_ -= it->second.bytes.size();
  entries_.erase(it);
  lru_.pop_back();
}

void AvatarFetcher::store(const std::string& url, std::string mime, std::string bytes, std::int64_t now) {
  std::lock_guard lock(mutex_);
  if (bytes.size() > config_.cache_bytes || config_.cache_entries == 0) return;
  if (auto old = entries_.find(url); old != entries_.end()) {
    bytes_ -= old->second.bytes.size();
    lru_.erase(old->second.lru);
    entries_.erase(old);
  }
  while (!lru_.empty() && (entries_.size() >= config_.cache_entries || bytes_ + bytes.size() > config_.cache_bytes))
    evict_one_locked();
  lru_.push_front(url);
  bytes_ += bytes.size();
  entries_.emplace(url, Entry{std::move(mime), std::move(bytes), now, lru_.begin()});
}

HttpReply AvatarFetcher::fetch(std::string_view url, std::int64_t now) {
  if (auto hit = cached(url, now)) return *hit;
  const HttpReply upstream_error = json_error(502, "Upstream returned error");
  const bool https = url.size() > 8 && ascii_iequals(url.substr(0, 8), "https://");
  const bool http = url.size() > 7 && ascii_iequals(url.substr(0, 7), "http://");
  if (!https && !(config_.allow_http && http)) return upstream_error;

  OutboundRequest req;
  req.url = std::string(url);
  req.headers = {{"Accept", "image/png, image/jpeg, image/webp, image/gif"}, {"User-Agent", "parley"}};
  req.connect_timeout = std::chrono::seconds(5);
  req.total_timeout = std::chrono::seconds(10);
  req.max_body_bytes = kMaxAvatarBytes;
  req.max_redirects = 3;
  req.https_only = !config_.allow_http;
  const auto resp = http_.perform(req);
  if (!resp.ok || resp.status < 200 || resp.status > 299 || !allowed_avatar_mime(resp.content_type) ||
      resp.body.size() > kMaxAvatarBytes) {
    spdlog::info("avatar fetch failed (HTTP {}, type '{}', {} bytes{}{})", resp.status, resp.content_type,
                 resp.body.size(), resp.ok ? "" : ", ", resp.error);
    return upstream_error;
  }
  std::string mime = bare_media_type(resp.content_type);
  store(std::string(url), mime, resp.body, now);
  return avatar_reply(std::move(mime), resp.body);
}

std::size_t AvatarFetcher::cached_entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace parley::accounts
