#include "accounts/jwt_key.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "accounts/random.hpp"

namespace parley::accounts {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// O_EXCL + fchmod: the file is never more open than 0600, whatever the umask, and an existing
// file or symlink at the path is never followed or overwritten.
void write_new_file(const fs::path& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw std::runtime_error("cannot create " + path.string() + ": " + errno_text());
  if (::fchmod(fd.get(), 0600) != 0) throw std::runtime_error("cannot chmod " + path.string() + ": " + errno_text());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot write " + path.string() + ": " + errno_text());
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) throw std::runtime_error("cannot sync " + path.string() + ": " + errno_text());
}

}  // namespace

JwtKey::JwtKey(std::string bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() < kMinBytes) {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    throw std::invalid_argument("JWT key must have at least 32 bytes");
  }
}

JwtKey::~JwtKey() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

JwtKey JwtKey::load(const fs::path& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw std::runtime_error("cannot read JWT key " + file.string() + ": " + errno_text());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw std::runtime_error("JWT key " + file.string() + " is not a regular file");
  if (st.st_size > 64 * 1024) throw std::runtime_error("JWT key " + file.string() + " is larger than 64 KiB");
  if ((st.st_mode & 077) != 0)
    spdlog::warn("JWT key file {} is readable by group or others (mode {:o}); use chmod 600", file.string(),
                 st.st_mode & 0777);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  if (bytes.size() < kMinBytes) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    throw std::runtime_error("JWT key " + file.string() + " is shorter than 32 bytes");
  }
  return JwtKey(std::move(bytes));
}

JwtKey JwtKey::load_or_create(const fs::path& explicit_file, const fs::path& data_dir) {
  if (!explicit_file.empty()) return load(explicit_file);
  const fs::path file = data_dir / kDefaultFileName;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(file, ec))) return load(file);
  fs::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + data_dir.string() + ": " + ec.message());
  // Written aside, then linked into place: the key appears complete or not at all, and a second
  // process starting on the same fresh data directory loads the winner's key instead of failing.
  JwtKey key(random_bytes(kGeneratedBytes));
  const fs::path tmp = fs::path(file).concat(".new-" + random_hex(8));
  write_new_file(tmp, key.bytes());
  const int linked = ::link(tmp.c_str(), file.c_str());
  const int link_errno = errno;
  fs::remove(tmp, ec);
  if (linked != 0 && link_errno == EEXIST) return load(file);
  if (linked != 0) {
    errno = link_errno;
    throw std::runtime_error("cannot create " + file.string() + ": " + errno_text());
  }
  spdlog::info("created a new JWT signing key in {}", file.string());
  return key;
}

JwtKey JwtKey::rotate(const fs::path& file) {
  JwtKey key(random_bytes(kGeneratedBytes));
  const fs::path tmp = fs::path(file).concat(".new-" + random_hex(8));
  write_new_file(tmp, key.bytes());
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot replace JWT key " + file.string());
  }
  spdlog::warn("rotated the JWT signing key in {}: every issued token is now invalid", file.string());
  return key;
}

}  // namespace parley::accounts
