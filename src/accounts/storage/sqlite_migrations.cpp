#include "accounts/storage/sqlite_migrations.hpp"

#include <string>

#include "accounts/storage/sqlite_handle.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::storage {

const std::vector<std::string_view>& schema_migrations() {
  static const std::vector<std::string_view> migrations = {
      // 1: accounts and sessions.
      R"sql(
CREATE TABLE users (
  id           TEXT PRIMARY KEY NOT NULL,
  username     TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 256),
  display_name TEXT NOT NULL DEFAULT '',
  avatar_url   TEXT NOT NULL DEFAULT '',
  github_id    INTEGER UNIQUE,
  dn42_asn     TEXT,
  dn42_mnt     TEXT,
  is_bot       INTEGER NOT NULL DEFAULT 0 CHECK (is_bot IN (0, 1)),
  created_at   INTEGER NOT NULL,
  UNIQUE (dn42_asn, dn42_mnt),
  CHECK ((dn42_asn IS NULL) = (dn42_mnt IS NULL))
) STRICT;
CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY NOT NULL,
  user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
)sql",
      // 2: confusable skeletons of usernames (signalling::name_skeletons), filled in at every
      // start by refresh_name_skeletons, so a newer ICU's data applies to old rows too.
      R"sql(
ALTER TABLE users ADD COLUMN skeleton_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN skeleton_written TEXT NOT NULL DEFAULT '';
CREATE INDEX users_by_skeleton_folded ON users(skeleton_folded);
CREATE INDEX users_by_skeleton_written ON users(skeleton_written);
)sql",
  };
  return migrations;
}

int schema_version(Database& db) {
  StatementUse st(db, "PRAGMA user_version");
  st->step();
  return static_cast<int>(st->int64(0));
}

void migrate(Database& db) {
  const auto& list = schema_migrations();
  const int known = static_cast<int>(list.size());
  for (;;) {
    Transaction tx(db);
    const int version = schema_version(db);  // read inside the write lock: another process may migrate
    if (version > known) {
      throw StorageError("database schema version " + std::to_string(version) + " is newer than this server (" +
                         std::to_string(known) + ")");
    }
    if (version == known) return;  // the transaction rolls back: nothing was written
    db.exec(list[static_cast<std::size_t>(version)]);
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    tx.commit();
  }
}

}  // namespace parley::storage
