#include "bots/certificate_store.hpp"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "peer/certificate.hpp"

namespace parley::bots {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCertificateBegin = "-----BEGIN CERTIFICATE-----";
constexpr off_t kMaxFileBytes = 64 * 1024;

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

[[noreturn]] void refuse(const fs::path& file, const std::string& why) {
  throw std::runtime_error("DTLS certificate " + file.string() + ": " + why +
                           ". Delete the file to make a new certificate (this bot's safety numbers then change).");
}

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

// The file's bytes, or nullopt when there is no file.
std::optional<std::string> read_file(const fs::path& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    refuse(file, "cannot be read (" + errno_text(errno) + ")");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) refuse(file, "is not a regular file");
  if (st.st_size > kMaxFileBytes) refuse(file, "is larger than 64 KiB");
  if ((st.st_mode & 077) != 0)
    spdlog::warn("{} holds a private key and is readable by group or others (mode {:o}); use chmod 600",
                 file.string(), st.st_mode & 0777);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse(file, "cannot be read (" + errno_text(errno) + ")");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// The file holds the private key, then the certificate, both PEM.
peer::CertificatePem split(const fs::path& file, const std::string& bytes) {
  const auto at = bytes.find(kCertificateBegin);
  if (at == std::string::npos || at == 0) refuse(file, "does not hold a private key followed by a certificate");
  return {bytes.substr(0, at), bytes.substr(at)};
}

void write_all(int fd, const std::string& bytes, const fs::path& file) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot write " + file.string() + ": " + errno_text(errno));
    done += static_cast<size_t>(n);
  }
}

// Written aside (0600 whatever the umask) and synced, then put in place: the file is complete
// or absent, never half written. A first file is linked, so two processes starting at once on
// an empty directory both end up with the winner's; a renewed one replaces the old by rename.
// Returns false when a first file appeared meanwhile.
bool write_certificate(const fs::path& file, const peer::CertificatePem& pem, bool replace) {
  std::string tmp = file.string() + ".new-XXXXXX";
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) throw std::runtime_error("cannot create a file beside " + file.string() + ": " + errno_text(errno));
  auto cleanup = [&] { ::unlink(tmp.c_str()); };
  try {
    if (::fchmod(fd.get(), 0600) != 0) throw std::runtime_error("cannot chmod " + tmp + ": " + errno_text(errno));
    write_all(fd.get(), pem.private_key + pem.certificate, tmp);
    if (::fsync(fd.get()) != 0) throw std::runtime_error("cannot sync " + tmp + ": " + errno_text(errno));
  } catch (...) {
    cleanup();
    throw;
  }
  if (replace) {
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
      const int error = errno;
      cleanup();
      throw std::runtime_error("cannot replace " + file.string() + ": " + errno_text(error));
    }
  } else {
    const int linked = ::link(tmp.c_str(), file.c_str());
    const int error = errno;
    cleanup();
    if (linked != 0 && error == EEXIST) return false;
    if (linked != 0) throw std::runtime_error("cannot create " + file.string() + ": " + errno_text(error));
  }
  // The new name must survive a crash too.
  Fd dir(::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return true;
}

void make_directory(const fs::path& dir) {
  std::error_code ec;
  const bool made = fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the bots' data directory " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir)) throw std::runtime_error("the bots' data directory " + dir.string() + " is not a directory");
  if (made) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) throw std::runtime_error("cannot chmod " + dir.string() + ": " + ec.message());
}

BotCertificate fresh(const fs::path& file) {
  BotCertificate c;
  c.file = file;
  c.pem = peer::generate_certificate(kCertificateLifetime);
  std::string error;
  auto info = peer::inspect_certificate(c.pem, &error);
  if (!info) throw std::runtime_error("a new DTLS certificate does not load: " + error);
  c.info = std::move(*info);
  return c;
}

std::string date(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%d}", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

}  // namespace

BotCertificate load_bot_certificate(const fs::path& dir, std::string_view bot_name,
                                    std::chrono::system_clock::time_point now) {
  make_directory(dir);
  const fs::path file = dir / (std::string(bot_name) + ".dtls.pem");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto bytes = read_file(file);
    if (!bytes) {
      auto c = fresh(file);
      if (!write_certificate(file, c.pem, false)) continue;  // another process made one: use it
      c.created = true;
      spdlog::info("{}: made a new DTLS certificate in {}", bot_name, file.string());
      return c;
    }
    BotCertificate c;
    c.file = file;
    c.pem = split(file, *bytes);
    std::string error;
    auto info = peer::inspect_certificate(c.pem, &error);
    if (!info) refuse(file, error);
    c.info = std::move(*info);
    if (c.info.expires - now >= kCertificateRenewBefore) return c;

    auto renewed = fresh(file);
    write_certificate(file, renewed.pem, true);
    renewed.renewed = true;
    spdlog::warn("{}: its DTLS certificate in {} expires on {}; replaced it with a new one. {}'s SAFETY NUMBERS "
                 "CHANGE: everyone who compared them with it will see a new number",
                 bot_name, file.string(), date(c.info.expires), bot_name);
    return renewed;
  }
  refuse(file, "appeared while it was being created, but cannot be read");
}

}  // namespace parley::bots
