#pragma once
// Who is online, and telling those who may see it (§2.7: `online`, `rename`, `offline`, and the
// `/conns` list). Who sees whom is a policy: everyone, for small servers and original clients,
// is the first one. A cluster implementation keeps the members in Redis; the service does not
// change.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signalling/connection.hpp"

namespace parley::signalling {

class PresencePolicy {
public:
  virtual ~PresencePolicy() = default;
  virtual bool sees(const Identity& viewer, const Connection& subject) const = 0;
};

// Today's rule, and the original system's: every registered connection sees every other.
class EveryoneSeesEveryone final : public PresencePolicy {
public:
  bool sees(const Identity&, const Connection&) const override { return true; }
};

class Presence {
public:
  virtual ~Presence() = default;
  // `c` registered (again): `online` to every viewer allowed to see it, `c` included.
  virtual void announce(const Connection& c) = 0;
  // `c` was renamed (its name and attributes are already changed): the `rename` broadcast.
  virtual void update(const Connection& c, std::optional<std::int64_t> colour, std::string_view previous_name) = 0;
  // `c` left: `offline` to the others. `c` is still valid during the call.
  virtual void withdraw(const Connection& c) = 0;
  // The `/conns` body (§3.3) as `viewer` may see it.
  virtual std::string list(const Identity& viewer) const = 0;
};

}  // namespace parley::signalling
