#include "accounts/storage/sqlite_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include "accounts/storage/sqlite_handle.hpp"
#include "accounts/storage/sqlite_migrations.hpp"
#include "accounts/storage/sqlite_name_skeletons.hpp"
#include "accounts/text_rules.hpp"
#include "signalling/confusables.hpp"

namespace parley::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUserColumns =
    "id, username, display_name, avatar_url, github_id, dn42_asn, dn42_mnt, is_bot, created_at";

std::string select_users(std::string_view where) {
  return "SELECT " + std::string(kUserColumns) + " FROM users WHERE " + std::string(where);
}

User read_user(const Statement& st) {
  User u;
  u.id = st.text(0);
  u.username = st.text(1);
  u.display_name = st.text(2);
  u.avatar_url = st.text(3);
  if (!st.is_null(4)) u.github_id = st.int64(4);
  if (!st.is_null(5)) u.dn42_asn = st.text(5);
  if (!st.is_null(6)) u.dn42_mnt = st.text(6);
  u.is_bot = st.int64(7) != 0;
  u.created_at = st.int64(8);
  return u;
}

std::optional<User> one_user(Database& db, const std::string& sql, auto&& binder) {
  StatementUse st(db, sql);
  binder(*st);
  if (!st->step()) return std::nullopt;
  return read_user(*st);
}

// The database holds session digests and account data: keep it private to the server's user.
// The file is created 0600 before SQLite opens it; its -wal/-shm files inherit that mode. An
// existing file of 0 bytes is refused: SQLite would take it for a new, empty database, and every
// account (every bot) would be silently gone (issue 12, F4).
void prepare_file(const fs::path& file) {
  struct stat st{};
  if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
    throw StorageError(file.string() + " is empty (0 bytes), so every account in it is gone. Restore it from a "
                       "backup, or delete it to start with no accounts");
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw StorageError("cannot open " + file.string() + ": " + std::error_code(errno, std::generic_category()).message());
  ::fchmod(fd, 0600);
  ::close(fd);
}

// A database that must not be used; its message says what to do.
class IntegrityError : public StorageError {
 public:
  using StorageError::StorageError;
};

// PRAGMA quick_check: the page structure is sound. A damaged database is refused at start rather
// than discovered one failing lookup at a time (which fail closed: HandshakeIdentity::unavailable,
// NamesUnavailable).
void check_integrity(Database& db, const fs::path& file) {
  StatementUse st(db, "PRAGMA quick_check(1)");
  std::string verdict = st->step() ? st->text(0) : "no answer";
  if (verdict == "ok") return;
  if (verdict.size() > 200) verdict.resize(200);
  throw IntegrityError(file.string() + " failed its integrity check (" + verdict + "). Restore it from a backup; "
                     "the server does not start on a damaged database");
}

}  // namespace

SqliteStorage::SqliteStorage(const fs::path& data_dir) : lock_(data_dir) {
  const fs::path file = data_dir / kFileName;
  prepare_file(file);
  try {
    db_ = std::make_unique<Database>(file.string());
    check_integrity(*db_, file);
  } catch (const IntegrityError&) {
    throw;
  } catch (const StorageError& e) {
    // SQLite's own words ("file is not a database") say less than what to do about it.
    throw IntegrityError(file.string() + " cannot be read as a database (" + e.what() + "). Restore it from a backup; "
                         "the server does not start on a damaged database");
  }
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec("PRAGMA synchronous = NORMAL");
  db_->exec("PRAGMA foreign_keys = ON");
  migrate(*db_);
  refresh_name_skeletons(*db_);
}

SqliteStorage::~SqliteStorage() = default;

std::optional<User> SqliteStorage::user_by_id(std::string_view id) {
  std::lock_guard lock(mutex_);
  static const std::string sql = select_users("id = ?1");
  return one_user(*db_, sql, [&](Statement& st) { st.bind(1, id); });
}

std::optional<User> SqliteStorage::user_by_username(std::string_view username) {
  std::lock_guard lock(mutex_);
  static const std::string sql = select_users("username = ?1");  // the column is COLLATE NOCASE
  return one_user(*db_, sql, [&](Statement& st) { st.bind(1, username); });
}

std::optional<User> SqliteStorage::user_by_github_id(std::int64_t github_id) {
  std::lock_guard lock(mutex_);
  static const std::string sql = select_users("github_id = ?1");
  return one_user(*db_, sql, [&](Statement& st) { st.bind(1, github_id); });
}

std::optional<User> SqliteStorage::user_by_dn42(std::string_view asn, std::string_view mnt) {
  std::lock_guard lock(mutex_);
  static const std::string sql = select_users("dn42_asn = ?1 AND dn42_mnt = ?2");
  return one_user(*db_, sql, [&](Statement& st) { st.bind(1, asn).bind(2, mnt); });
}

std::vector<User> SqliteStorage::users_looking_like(std::string_view name) {
  std::lock_guard lock(mutex_);
  return users_looking_like_locked(name);
}

std::vector<User> SqliteStorage::users_looking_like_locked(std::string_view name) {
  // Any skeleton of one equal to any of the other (signalling::look_alike), through both indexes.
  static const std::string sql =
      select_users("skeleton_folded IN (?1, ?2) OR skeleton_written IN (?1, ?2) ORDER BY username");
  const auto skeletons = signalling::name_skeletons(name);
  StatementUse st(*db_, sql);
  st->bind(1, skeletons.folded).bind(2, skeletons.as_written);
  std::vector<User> out;
  while (st->step()) out.push_back(read_user(*st));
  return out;
}

InsertUserResult SqliteStorage::insert_user(const User& u) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);  // the look-alike check and the insert, atomically
  bool confusable = false;
  for (const auto& other : users_looking_like_locked(u.username)) {
    if (accounts::ascii_iequals(other.username, u.username)) return InsertUserResult::username_taken;
    confusable = true;
  }
  if (confusable) return InsertUserResult::username_confusable;
  const auto skeletons = signalling::name_skeletons(u.username);
  StatementUse st(*db_,
                  "INSERT INTO users (id, username, display_name, avatar_url, github_id, dn42_asn, dn42_mnt, is_bot, "
                  "created_at, skeleton_folded, skeleton_written) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  st->bind(1, u.id).bind(2, u.username).bind(3, u.display_name).bind(4, u.avatar_url);
  st->bind(5, u.github_id).bind(6, u.dn42_asn).bind(7, u.dn42_mnt);
  st->bind(8, std::int64_t{u.is_bot ? 1 : 0}).bind(9, u.created_at);
  st->bind(10, skeletons.folded).bind(11, skeletons.as_written);
  try {
    st->step();
  } catch (const ConstraintError& e) {
    const std::string_view what = e.what();
    if (what.find("users.username") != std::string_view::npos) return InsertUserResult::username_taken;
    if (what.find("UNIQUE") != std::string_view::npos) return InsertUserResult::identity_taken;
    throw StorageError(std::string("insert user: ") + e.what());  // CHECK failures are caller bugs
  }
  tx.commit();
  return InsertUserResult::ok;
}

bool SqliteStorage::update_user_profile(std::string_view id, std::string_view display_name,
                                        std::string_view avatar_url) {
  std::lock_guard lock(mutex_);
  StatementUse st(*db_, "UPDATE users SET display_name = ?2, avatar_url = ?3 WHERE id = ?1");
  st->bind(1, id).bind(2, display_name).bind(3, avatar_url);
  st->step();
  return db_->changes() > 0;
}

bool SqliteStorage::delete_user(std::string_view id) {
  std::lock_guard lock(mutex_);
  StatementUse st(*db_, "DELETE FROM users WHERE id = ?1");  // sessions go by ON DELETE CASCADE
  st->bind(1, id);
  st->step();
  return db_->changes() > 0;
}

std::vector<User> SqliteStorage::list_bots() {
  std::lock_guard lock(mutex_);
  static const std::string sql = select_users("is_bot = 1 ORDER BY username");
  StatementUse st(*db_, sql);
  std::vector<User> out;
  while (st->step()) out.push_back(read_user(*st));
  return out;
}

std::size_t SqliteStorage::delete_expired_locked(std::int64_t now) {
  StatementUse st(*db_, "DELETE FROM sessions WHERE expires_at <= ?1");
  st->bind(1, now);
  st->step();
  return static_cast<std::size_t>(db_->changes());
}

void SqliteStorage::insert_session_locked(const Session& s, const SessionLimits& limits, std::int64_t now) {
  delete_expired_locked(now);
  // Evict the oldest of the same kind so that, with this one, the bound holds.
  if (s.user_id) {
    StatementUse evict(*db_,
                       "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE user_id = ?1 "
                       "ORDER BY created_at, rowid LIMIT max(0, (SELECT count(*) FROM sessions WHERE user_id = ?1) "
                       "- ?2 + 1))");
    evict->bind(1, *s.user_id).bind(2, static_cast<std::int64_t>(limits.max_per_user));
    evict->step();
  } else {
    StatementUse evict(*db_,
                       "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE user_id IS NULL "
                       "ORDER BY created_at, rowid LIMIT max(0, (SELECT count(*) FROM sessions WHERE user_id IS "
                       "NULL) - ?1 + 1))");
    evict->bind(1, static_cast<std::int64_t>(limits.max_pre_login));
    evict->step();
  }
  StatementUse st(*db_, "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  st->bind(1, s.id_hash).bind(2, s.user_id).bind(3, s.created_at).bind(4, s.expires_at);
  try {
    st->step();
  } catch (const ConstraintError& e) {
    throw StorageError(std::string("insert session: ") + e.what());  // unknown user, or a duplicate id
  }
}

void SqliteStorage::insert_session(const Session& s, const SessionLimits& limits, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  insert_session_locked(s, limits, now);
  tx.commit();
}

void SqliteStorage::replace_session(std::string_view old_id_hash, const Session& fresh, const SessionLimits& limits,
                                    std::int64_t now) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  {
    StatementUse del(*db_, "DELETE FROM sessions WHERE id_hash = ?1");
    del->bind(1, old_id_hash);
    del->step();
  }
  insert_session_locked(fresh, limits, now);
  tx.commit();
}

std::optional<Session> SqliteStorage::session_by_hash(std::string_view id_hash, std::int64_t now) {
  std::lock_guard lock(mutex_);
  StatementUse st(*db_,
                  "SELECT id_hash, user_id, created_at, expires_at FROM sessions WHERE id_hash = ?1 AND expires_at > ?2");
  st->bind(1, id_hash).bind(2, now);
  if (!st->step()) return std::nullopt;
  Session s;
  s.id_hash = st->text(0);
  if (!st->is_null(1)) s.user_id = st->text(1);
  s.created_at = st->int64(2);
  s.expires_at = st->int64(3);
  return s;
}

bool SqliteStorage::delete_session(std::string_view id_hash) {
  std::lock_guard lock(mutex_);
  StatementUse st(*db_, "DELETE FROM sessions WHERE id_hash = ?1");
  st->bind(1, id_hash);
  st->step();
  return db_->changes() > 0;
}

std::size_t SqliteStorage::delete_expired_sessions(std::int64_t now) {
  std::lock_guard lock(mutex_);
  return delete_expired_locked(now);
}

std::size_t SqliteStorage::count_sessions(std::optional<std::string_view> user_id) {
  std::lock_guard lock(mutex_);
  if (user_id) {
    StatementUse st(*db_, "SELECT count(*) FROM sessions WHERE user_id = ?1");
    st->bind(1, *user_id);
    st->step();
    return static_cast<std::size_t>(st->int64(0));
  }
  StatementUse st(*db_, "SELECT count(*) FROM sessions WHERE user_id IS NULL");
  st->step();
  return static_cast<std::size_t>(st->int64(0));
}

}  // namespace parley::storage
