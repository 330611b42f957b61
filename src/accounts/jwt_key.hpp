#pragma once
// The HS256 signing key: at least 32 random bytes kept in a file with mode 0600 (PROTOCOL.md §3.10).
#include <filesystem>
#include <string>
#include <string_view>

namespace parley::accounts {

class JwtKey {
 public:
  static constexpr std::size_t kMinBytes = 32;
  static constexpr std::size_t kGeneratedBytes = 64;
  static constexpr const char* kDefaultFileName = "jwt-secret.key";

  // Wraps raw key bytes; throws std::invalid_argument if shorter than kMinBytes.
  explicit JwtKey(std::string bytes);
  ~JwtKey();  // wipes the bytes
  JwtKey(const JwtKey&) = default;
  JwtKey& operator=(const JwtKey&) = default;
  JwtKey(JwtKey&&) noexcept = default;
  JwtKey& operator=(JwtKey&&) noexcept = default;

  // `--jwt-secret-file` if non-empty (must exist; the whole file is the key), otherwise
  // `<data_dir>/jwt-secret.key`, created with kGeneratedBytes random bytes on first start.
  // Throws std::runtime_error when the file cannot be read, is too short, or cannot be created.
  // A key file readable by group or others is used, with a warning in the log.
  static JwtKey load_or_create(const std::filesystem::path& explicit_file, const std::filesystem::path& data_dir);
  static JwtKey load(const std::filesystem::path& file);
  // Writes a fresh random key to `file` atomically (temp file 0600 + rename) and returns it.
  // Every token signed with the old key stops validating once the service uses the new one.
  static JwtKey rotate(const std::filesystem::path& file);

  std::string_view bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace parley::accounts
