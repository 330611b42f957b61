#pragma once
// Login nonces (PROTOCOL.md §4.1): random, bound to (provider, session, redirect target), valid for
// 5 minutes, single-use, in a bounded table (oldest evicted first, no per-nonce timers).
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::accounts {

class NonceTable {
 public:
  static constexpr std::size_t kDefaultCapacity = 10000;
  static constexpr std::int64_t kDefaultTtlSeconds = 300;
  static constexpr std::size_t kNonceBytes = 24;  // 192 bits, 32 base64url characters

  explicit NonceTable(std::size_t capacity = kDefaultCapacity, std::int64_t ttl_seconds = kDefaultTtlSeconds);

  // A fresh nonce bound to `provider` ("github", "kioubit"), the session (by its id digest) and the
  // already validated redirect target. `now` is unix seconds and should not go backwards.
  std::string issue(std::string_view provider, std::string_view session_binding, std::string redirect_target,
                    std::int64_t now);

  enum class Failure { none, unknown, expired, other_session };
  struct Consumed {
    Failure failure = Failure::none;
    std::string redirect_target;  // when failure == none
    explicit operator bool() const { return failure == Failure::none; }
  };

  // Looks the nonce up and deletes it whatever the outcome (single use). A nonce issued for another
  // provider counts as unknown.
  Consumed consume(std::string_view provider, std::string_view nonce, std::string_view session_binding,
                   std::int64_t now);

  std::size_t size() const;

 private:
  struct Entry {
    std::string provider;
    std::string session_binding;
    std::string redirect_target;
    std::int64_t issued_at = 0;
    std::list<std::string>::iterator order;
  };
  void drop_expired_locked(std::int64_t now);

  std::size_t capacity_;
  std::int64_t ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // issue order, oldest first
};

}  // namespace parley::accounts
