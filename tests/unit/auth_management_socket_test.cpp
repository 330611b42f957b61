// The file-system preparation of the management socket path, with a real unix socket file.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "auth_test_support.hpp"
#include "transport/management_socket_path.hpp"

using namespace parley::accounts;
using namespace parley::transport;
namespace fs = std::filesystem;

namespace {
mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

// Binds a socket at `path` (under PrivateUmask) and closes it, leaving a stale socket file.
void bind_socket(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  {
    PrivateUmask guard;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ::close(fd);
}
}  // namespace

TEST(AuthManagementSocket, CreatesParentAndSocketIsPrivate) {
  parley::test::TempDir tmp;
  const fs::path sock = tmp.path() / "run" / "parley" / "m.sock";
  const mode_t old = ::umask(0);
  prepare_management_socket_path(sock);
  ::umask(old);
  EXPECT_EQ(mode_of(sock.parent_path()), 0750u);
  bind_socket(sock);
  EXPECT_EQ(mode_of(sock), 0600u);
  EXPECT_EQ(::umask(old), old);  // the guard restored the umask
}

TEST(AuthManagementSocket, RemovesOnlyStaleSockets) {
  parley::test::TempDir tmp;
  const fs::path sock = tmp.path() / "m.sock";
  bind_socket(sock);
  ASSERT_TRUE(fs::exists(sock));
  prepare_management_socket_path(sock);
  EXPECT_FALSE(fs::exists(sock));

  const fs::path file = tmp.path() / "important.txt";
  std::ofstream(file) << "data";
  EXPECT_THROW(prepare_management_socket_path(file), std::runtime_error);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_THROW(prepare_management_socket_path(tmp.path()), std::runtime_error);  // a directory
  EXPECT_THROW(prepare_management_socket_path(""), std::runtime_error);
}
