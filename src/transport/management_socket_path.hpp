#pragma once
// File-system side of the management socket (PROTOCOL.md §5): the parent directory, a stale socket
// left by a previous run, and the umask around bind(). The bind itself is the transport's.
#include <filesystem>

#include <sys/types.h>

namespace parley::transport {

// Creates a missing parent directory with mode 0750, removes an existing file at `path` only if
// it is a socket, and throws std::runtime_error if anything else is there (never deletes data).
void prepare_management_socket_path(const std::filesystem::path& path);

// Sets umask 0177 for its lifetime, so a socket bound meanwhile is created 0600, never wider.
// (umask is process-wide: construct it just around bind(), at startup.)
class PrivateUmask {
 public:
  PrivateUmask();
  ~PrivateUmask();
  PrivateUmask(const PrivateUmask&) = delete;
  PrivateUmask& operator=(const PrivateUmask&) = delete;

 private:
  mode_t previous_;
};

}  // namespace parley::transport
