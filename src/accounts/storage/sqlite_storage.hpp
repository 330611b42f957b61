#pragma once
// Storage on one SQLite file (`<data-dir>/parley.db`, WAL, mode 0600). All calls are serialized by
// a mutex, so it may be shared between threads; each call is short (indexed lookups).
#include <filesystem>
#include <memory>
#include <mutex>

#include "accounts/storage/data_dir_lock.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::storage {

class Database;

class SqliteStorage final : public Storage {
 public:
  // Locks the data directory (DataDirLock; creating it, mode 0700, if needed), creates the
  // database if needed, checks its integrity and applies migrations. Throws StorageError when
  // another server holds the directory, or the database is empty (0 bytes) or damaged.
  explicit SqliteStorage(const std::filesystem::path& data_dir);
  ~SqliteStorage() override;

  static constexpr const char* kFileName = "parley.db";

  std::optional<User> user_by_id(std::string_view id) override;
  std::optional<User> user_by_username(std::string_view username) override;
  std::optional<User> user_by_github_id(std::int64_t github_id) override;
  std::optional<User> user_by_dn42(std::string_view asn, std::string_view mnt) override;
  std::vector<User> users_looking_like(std::string_view name) override;
  InsertUserResult insert_user(const User& user) override;
  bool update_user_profile(std::string_view id, std::string_view display_name, std::string_view avatar_url) override;
  bool delete_user(std::string_view id) override;
  std::vector<User> list_bots() override;

  void insert_session(const Session& session, const SessionLimits& limits, std::int64_t now) override;
  void replace_session(std::string_view old_id_hash, const Session& fresh, const SessionLimits& limits,
                       std::int64_t now) override;
  std::optional<Session> session_by_hash(std::string_view id_hash, std::int64_t now) override;
  bool delete_session(std::string_view id_hash) override;
  std::size_t delete_expired_sessions(std::int64_t now) override;
  std::size_t count_sessions(std::optional<std::string_view> user_id) override;

 private:
  std::vector<User> users_looking_like_locked(std::string_view name);
  void insert_session_locked(const Session& session, const SessionLimits& limits, std::int64_t now);
  std::size_t delete_expired_locked(std::int64_t now);

  DataDirLock lock_;  // first: held before the database is opened, released after it is closed
  std::mutex mutex_;
  std::unique_ptr<Database> db_;
};

}  // namespace parley::storage
