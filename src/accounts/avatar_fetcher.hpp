#pragma once
// Remote avatars (PROTOCOL.md §3.5): fetched through OutboundHttp with the §3.5 bounds, only image
// types of the allow-list relayed, successes cached for 10 minutes in a bounded cache.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "accounts/http/http_types.hpp"

namespace parley::accounts {

struct AvatarFetchConfig {
  std::size_t cache_entries = 512;
  std::size_t cache_bytes = 32 * 1024 * 1024;
  std::int64_t cache_ttl_seconds = 600;
  // Only for local test set-ups (a GitHub stand-in on http://127.0.0.1): never in production.
  bool allow_http = false;
};

class AvatarFetcher {
 public:
  AvatarFetcher(OutboundHttp& http, AvatarFetchConfig config = {});

  // A cached answer for `url`, without any I/O (call on the I/O thread first).
  std::optional<HttpReply> cached(std::string_view url, std::int64_t now);

  // Blocking fetch (https only, at most 3 redirects, 5 s connect, 10 s total, 1 MiB, an allowed
  // image type); 200 image or 502 {"err":"Upstream returned error"}. Run it off the I/O thread.
  HttpReply fetch(std::string_view url, std::int64_t now);

  std::size_t cached_entries() const;

 private:
  struct Entry {
    std::string mime, bytes;
    std::int64_t stored_at = 0;
    std::list<std::string>::iterator lru;
  };
  void store(const std::string& url, std::string mime, std::string bytes, std::int64_t now);
  void evict_one_locked();

  OutboundHttp& http_;
  AvatarFetchConfig config_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
  std::size_t bytes_ = 0;
};

}  // namespace parley::accounts
