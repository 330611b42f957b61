#pragma once
// The server's record of one signalling connection: who it is, what it announced, and its
// abuse counters. Owned by the Registry; the transport holds a pointer for the connection's life.
#include <cstdint>
#include <string>

#include "signalling/frame_sink.hpp"
#include "signalling/rate_limit.hpp"
#include "protocol/envelope.hpp"

namespace parley::signalling {

enum class Authentication { none, jwt, session };

const char* to_string(Authentication a);

// Decided once at the handshake (§2.2).
struct Identity {
  Authentication authentication = Authentication::none;
  std::string user_id;   // account id, empty when anonymous
  std::string username;  // account username, empty when anonymous
  bool is_bot = false;
};

struct Connection {
  std::string node_id;
  std::string default_name;  // "userNNNN", fixed at accept time
  Identity identity;
  FrameSink* sink = nullptr;
  std::string address;  // the client's address as the transport keys it, for abuse penalties

  bool registered = false;
  std::string name;
  std::int64_t connected_at = 0;   // unix s
  std::int64_t registered_at = 0;  // unix s
  std::int64_t last_heartbeat = 0; // unix s, 0 = never
  protocol::AttributeList attributes;

  std::int64_t last_activity_ms = 0;  // steady clock, for the idle timeout
  std::int64_t last_rate_error_ms = -1000000;
  TokenBucket frames;
  TokenBucket presence_changes;  // registers and renames: each one is broadcast to everyone
  ErrorWindow errors;
};

}  // namespace parley::signalling
