#pragma once
// The administration commands of parley-server, run instead of the server:
//   parley-server bots [--management-listen PATH] list|add|token|delete ...   (talks to the socket)
//   parley-server jwt rotate [--data-dir DIR] [--jwt-secret-file FILE]         (offline key rotation)
#include <optional>

namespace parley::app {

// nullopt when argv is not an administration command (run the server); otherwise the exit code.
std::optional<int> run_admin_command(int argc, char** argv);

}  // namespace parley::app
