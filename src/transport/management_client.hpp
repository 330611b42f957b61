#pragma once
// The client side of the management socket, for `parley-server bots ...`: one request, one answer.
#include <chrono>
#include <filesystem>
#include <string>

namespace parley::transport {

struct ManagementCall {
  std::string method, target, content_type, body;
};

struct ManagementAnswer {
  unsigned status = 0;
  std::string body;
};

// Blocking. Throws std::runtime_error with a message for the user when the socket cannot be
// reached (missing, permission denied, nobody listening) or the exchange fails or times out.
ManagementAnswer call_management(const std::filesystem::path& socket_path, const ManagementCall& call,
                                 std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace parley::transport
