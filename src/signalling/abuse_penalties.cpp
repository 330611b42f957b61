#include "signalling/abuse_penalties.hpp"

#include <algorithm>

namespace parley::signalling {

std::int64_t AbusePenalties::wait_ms(std::string_view address, std::int64_t now_ms) const {
  if (address.empty() || limits_.max_ms <= 0) return 0;
  const auto it = entries_.find(std::string(address));
  return it == entries_.end() ? 0 : std::max<std::int64_t>(0, it->second.until_ms - now_ms);
}

void AbusePenalties::punish(std::string_view address, std::int64_t now_ms) {
  if (address.empty() || limits_.max_ms <= 0) return;
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) {
    make_room(now_ms);
    it = entries_.emplace(std::string(address), Entry{}).first;
  }
  Entry& e = it->second;
  if (e.strikes > 0 && now_ms - e.last_ms > limits_.forget_ms) e.strikes = 0;
  const int doublings = std::min(e.strikes, 30);
  const std::int64_t wait = std::min(limits_.max_ms, limits_.first_ms << doublings);
  ++e.strikes;
  e.last_ms = now_ms;
  e.until_ms = std::max(e.until_ms, now_ms + wait);
}

void AbusePenalties::make_room(std::int64_t now_ms) {
  if (entries_.size() < limits_.max_addresses) return;
  // Forgotten entries first; if none, the one whose wait ends soonest.
  std::erase_if(entries_, [&](const auto& kv) { return now_ms - kv.second.last_ms > limits_.forget_ms; });
  if (entries_.size() < limits_.max_addresses) return;
  const auto soonest = std::min_element(entries_.begin(), entries_.end(),
                                        [](const auto& a, const auto& b) { return a.second.until_ms < b.second.until_ms; });
  entries_.erase(soonest);
}

}  // namespace parley::signalling
