#include "accounts/logins/nonce_table.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

#include "accounts/random.hpp"

namespace parley::accounts {

NonceTable::NonceTable(std::size_t capacity, std::int64_t ttl_seconds) : capacity_(capacity), ttl_(ttl_seconds) {
  if (capacity_ == 0 || ttl_ <= 0) throw std::invalid_argument("nonce table needs a capacity and a lifetime");
}

void NonceTable::drop_expired_locked(std::int64_t now) {
  // Issue order is time order, so expired entries sit at the front: cleanup is amortized O(1).
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it != entries_.end() && now - it->second.issued_at < ttl_) break;
    if (it != entries_.end()) entries_.erase(it);
    order_.pop_front();
  }
}

std::string NonceTable::issue(std::string_view provider, std::string_view session_binding,
                              std::string redirect_target, std::int64_t now) {
  std::string nonce = random_token(kNonceBytes);
  std::lock_guard lock(mutex_);
  drop_expired_locked(now);
  while (entries_.size() >= capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(nonce);
  Entry e{std::string(provider), std::string(session_binding), std::move(redirect_target), now, std::prev(order_.end())};
  entries_.emplace(nonce, std::move(e));
  return nonce;
}

NonceTable::Consumed NonceTable::consume(std::string_view provider, std::string_view nonce,
                                         std::string_view session_binding, std::int64_t now) {
  Consumed out;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(nonce));
  if (it == entries_.end()) {
    out.failure = Failure::unknown;
    return out;
  }
  Entry e = std::move(it->second);
  order_.erase(e.order);
  entries_.erase(it);
  if (e.provider != provider) {
    out.failure = Failure::unknown;
  } else if (now - e.issued_at >= ttl_ || now < e.issued_at - ttl_) {
    out.failure = Failure::expired;
  } else if (e.session_binding.size() != session_binding.size() ||
             CRYPTO_memcmp(e.session_binding.data(), session_binding.data(), session_binding.size()) != 0) {
    out.failure = Failure::other_session;
  } else {
    out.redirect_target = std::move(e.redirect_target);
  }
  return out;
}

std::size_t NonceTable::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace parley::accounts
