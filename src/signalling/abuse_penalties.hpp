#pragma once
// Addresses whose connections were closed for abuse wait before they may connect again (issue 12,
// slow reader and flood): a flooder that reconnects the moment it is closed would otherwise buy,
// each time, an upgrade, a register with its presence broadcast and a new frame burst. The wait
// doubles with each close (1 s, 2 s, 4 s … up to `max_ms`) and is forgotten after `forget_ms`
// without one. No I/O: the transport decides what an address is and refuses the upgrade.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::signalling {

struct PenaltyLimits {
  std::int64_t first_ms = 1000;
  std::int64_t max_ms = 60000;        // 0: no penalties at all
  std::int64_t forget_ms = 600000;    // a close this long after the last starts at first_ms again
  std::size_t max_addresses = 10000;  // bounded memory under many abusive addresses
};

class AbusePenalties {
public:
  explicit AbusePenalties(PenaltyLimits limits) : limits_(limits) {}

  // How long `address` must still wait, in ms; 0 when it may connect. An empty address (one the
  // transport cannot tell apart from others, e.g. a proxy without X-Forwarded-For) never waits.
  std::int64_t wait_ms(std::string_view address, std::int64_t now_ms) const;
  // A connection from `address` was closed for abuse.
  void punish(std::string_view address, std::int64_t now_ms);
  std::size_t size() const { return entries_.size(); }

private:
  struct Entry {
    int strikes = 0;
    std::int64_t until_ms = 0;
    std::int64_t last_ms = 0;
  };
  void make_room(std::int64_t now_ms);

  PenaltyLimits limits_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace parley::signalling
