#include "transport/user_connections.hpp"

#include <vector>

namespace parley::transport {

std::size_t close_user_connections(const signalling::Registry& registry, std::string_view user_id, std::string_view reason) {
  if (user_id.empty()) return 0;  // anonymous connections have no account to match
  // Collect first: closing must not run while the registry is being iterated.
  std::vector<signalling::FrameSink*> sinks;
  registry.for_each([&](const signalling::Connection& c) {
    if (c.identity.user_id == user_id && c.sink) sinks.push_back(c.sink);
  });
  for (auto* sink : sinks) sink->close(signalling::CloseCode::policy, reason);
  return sinks.size();
}

}  // namespace parley::transport
