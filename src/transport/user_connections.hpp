#pragma once
// Closing every signalling connection of one account: a deleted bot must not stay online
// (PROTOCOL.md §2.2, "Deleting an account closes its open connections with 1008").
#include <cstddef>
#include <string_view>

#include "signalling/registry.hpp"

namespace parley::transport {

// Closes (1008) every connection, registered or not, authenticated as `user_id`. I/O thread only.
// Returns how many were closed.
std::size_t close_user_connections(const signalling::Registry& registry, std::string_view user_id, std::string_view reason);

}  // namespace parley::transport
