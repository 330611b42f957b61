#include "transport/management_socket_path.hpp"

#include <sys/stat.h>

#include <stdexcept>
#include <system_error>

namespace parley::transport {

namespace fs = std::filesystem;

void prepare_management_socket_path(const fs::path& path) {
  if (path.empty()) throw std::runtime_error("management socket path is empty");
  const fs::path parent = path.parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error("cannot create " + parent.string() + ": " + ec.message());
    fs::permissions(parent, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
  }
  const auto status = fs::symlink_status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw std::runtime_error("cannot inspect " + path.string() + ": " + ec.message());
  if (!fs::exists(status)) return;
  if (status.type() != fs::file_type::socket)
    throw std::runtime_error(path.string() + " exists and is not a socket; refusing to replace it");
  fs::remove(path, ec);
  if (ec) throw std::runtime_error("cannot remove stale socket " + path.string() + ": " + ec.message());
}

PrivateUmask::PrivateUmask() : previous_(::umask(0177)) {}
PrivateUmask::~PrivateUmask() { ::umask(previous_); }

}  // namespace parley::transport
