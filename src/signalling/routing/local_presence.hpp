#pragma once
// Presence of one server's connections, kept in-process.
#include <unordered_map>

#include "signalling/routing/presence.hpp"

namespace parley::signalling {

class LocalPresence final : public Presence {
public:
  explicit LocalPresence(const PresencePolicy& policy) : policy_(policy) {}

  void announce(const Connection& c) override;
  void update(const Connection& c, std::optional<std::int64_t> colour, std::string_view previous_name) override;
  void withdraw(const Connection& c) override;
  std::string list(const Identity& viewer) const override;

private:
  // To every member that may see `subject`.
  void tell_viewers(const Connection& subject, const SharedPresence& event);

  const PresencePolicy& policy_;
  std::unordered_map<std::string, const Connection*> members_;
};

}  // namespace parley::signalling
