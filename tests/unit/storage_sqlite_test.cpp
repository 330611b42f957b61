// SqliteStorage on real database files in a temporary directory.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "accounts/storage/sqlite_handle.hpp"
#include "accounts/storage/sqlite_migrations.hpp"
#include "accounts/storage/sqlite_storage.hpp"

namespace fs = std::filesystem;
using namespace parley::storage;

namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("parley-storage-" + std::to_string(rd()) + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

User make_user(std::string id, std::string username) {
  User u;
  u.id = std::move(id);
  u.username = std::move(username);
  u.display_name = "Display " + u.username;
  u.created_at = 1735689600;
  return u;
}

Session make_session(std::string hash, std::optional<std::string> user, std::int64_t created, std::int64_t expires) {
  Session s;
  s.id_hash = std::move(hash);
  s.user_id = std::move(user);
  s.created_at = created;
  s.expires_at = expires;
  return s;
}

// (Built with += because GCC 12 -O3 warns falsely on `"h" + std::to_string(i)`.)
std::string numbered(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST(StorageSqlite, CreatesPrivateDataDirAndFileAndMigrates) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "data";
  SqliteStorage storage(dir);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / SqliteStorage::kFileName), 0600u);
  Database db((dir / SqliteStorage::kFileName).string());
  EXPECT_EQ(schema_version(db), static_cast<int>(schema_migrations().size()));
}

TEST(StorageSqlite, MigrationIsIdempotentAndDataSurvivesReopen) {
  TempDir tmp;
  {
    SqliteStorage storage(tmp.path());
    ASSERT_EQ(storage.insert_user(make_user("u1", "alice")), InsertUserResult::ok);
    storage.insert_session(make_session("h1", "u1", 100, 1000), {}, 100);
  }
  SqliteStorage reopened(tmp.path());
  auto u = reopened.user_by_id("u1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->username, "alice");
  EXPECT_EQ(u->display_name, "Display alice");
  auto s = reopened.session_by_hash("h1", 500);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, "u1");
}

TEST(StorageSqlite, RefusesNewerSchema) {
  TempDir tmp;
  { SqliteStorage storage(tmp.path()); }
  {
    Database db((tmp.path() / SqliteStorage::kFileName).string());
    db.exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(SqliteStorage{tmp.path()}, StorageError);
}

TEST(StorageSqlite, AnEmptyDatabaseFileIsRefusedAndAFreshOneIsMigrated) {
  TempDir tmp;
  fs::create_directories(tmp.path());
  {
    Database db((tmp.path() / SqliteStorage::kFileName).string());
    EXPECT_EQ(schema_version(db), 0);
  }
  // 0 bytes: SQLite would start it as a new database, so every account would be silently lost.
  ASSERT_EQ(fs::file_size(tmp.path() / SqliteStorage::kFileName), 0u);
  EXPECT_THROW(SqliteStorage{tmp.path()}, StorageError);
  EXPECT_EQ(fs::file_size(tmp.path() / SqliteStorage::kFileName), 0u) << "left as it was";
  fs::remove(tmp.path() / SqliteStorage::kFileName);
  SqliteStorage storage(tmp.path());
  Database db((tmp.path() / SqliteStorage::kFileName).string());
  EXPECT_EQ(schema_version(db), static_cast<int>(schema_migrations().size()));
  StatementUse st(db, "SELECT journal_mode FROM pragma_journal_mode");
  ASSERT_TRUE(st->step());
  EXPECT_EQ(st->text(0), "wal");
}

TEST(StorageSqlite, UsernameUniqueCaseInsensitively) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  ASSERT_EQ(storage.insert_user(make_user("u1", "Alice")), InsertUserResult::ok);
  EXPECT_EQ(storage.insert_user(make_user("u2", "aLICE")), InsertUserResult::username_taken);
  auto found = storage.user_by_username("ALICE");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "u1");
  EXPECT_EQ(found->username, "Alice");
  // Only ASCII folds for equality; other case pairs look alike, and a look-alike is refused.
  ASSERT_EQ(storage.insert_user(make_user("u3", "élan")), InsertUserResult::ok);
  EXPECT_EQ(storage.insert_user(make_user("u4", "Élan")), InsertUserResult::username_confusable);
  EXPECT_FALSE(storage.user_by_username("Élan"));
}

TEST(StorageSqlite, GithubIdAndDn42PairUnique) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  User a = make_user("u1", "a");
  a.github_id = 42;
  ASSERT_EQ(storage.insert_user(a), InsertUserResult::ok);
  User b = make_user("u2", "b");
  b.github_id = 42;
  EXPECT_EQ(storage.insert_user(b), InsertUserResult::identity_taken);
  EXPECT_EQ(storage.user_by_github_id(42)->id, "u1");
  EXPECT_FALSE(storage.user_by_github_id(43));

  User c = make_user("u3", "c");
  c.dn42_asn = "4242420000";
  c.dn42_mnt = "FOO-MNT";
  ASSERT_EQ(storage.insert_user(c), InsertUserResult::ok);
  User d = make_user("u4", "d");
  d.dn42_asn = "4242420000";
  d.dn42_mnt = "BAR-MNT";  // same ASN, other maintainer: a second account
  EXPECT_EQ(storage.insert_user(d), InsertUserResult::ok);
  User e = make_user("u5", "e");
  e.dn42_asn = "4242420000";
  e.dn42_mnt = "FOO-MNT";
  EXPECT_EQ(storage.insert_user(e), InsertUserResult::identity_taken);
  EXPECT_EQ(storage.user_by_dn42("4242420000", "BAR-MNT")->id, "u4");
  EXPECT_FALSE(storage.user_by_dn42("4242420001", "FOO-MNT"));
}

TEST(StorageSqlite, HalfDn42IdentityIsABug) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  User a = make_user("u1", "a");
  a.dn42_asn = "1";
  EXPECT_THROW(storage.insert_user(a), StorageError);
}

TEST(StorageSqlite, DuplicateIdIsIdentityTaken) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  ASSERT_EQ(storage.insert_user(make_user("u1", "a")), InsertUserResult::ok);
  EXPECT_EQ(storage.insert_user(make_user("u1", "b")), InsertUserResult::identity_taken);
}

TEST(StorageSqlite, SqlLookingInputIsJustData) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  const std::string evil = "x'; DROP TABLE users; --";
  ASSERT_EQ(storage.insert_user(make_user("u1", evil)), InsertUserResult::ok);
  EXPECT_EQ(storage.user_by_username(evil)->id, "u1");
  EXPECT_FALSE(storage.user_by_username("' OR '1'='1"));
  EXPECT_TRUE(storage.user_by_id("u1"));
}

TEST(StorageSqlite, UpdateDeleteAndListBots) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  User bot = make_user("b1", "zeta_bot");
  bot.is_bot = true;
  User bot2 = make_user("b2", "alpha_bot");
  bot2.is_bot = true;
  ASSERT_EQ(storage.insert_user(bot), InsertUserResult::ok);
  ASSERT_EQ(storage.insert_user(bot2), InsertUserResult::ok);
  ASSERT_EQ(storage.insert_user(make_user("u1", "human")), InsertUserResult::ok);
  auto bots = storage.list_bots();
  ASSERT_EQ(bots.size(), 2u);
  EXPECT_EQ(bots[0].username, "alpha_bot");
  EXPECT_TRUE(bots[0].is_bot);

  EXPECT_TRUE(storage.update_user_profile("b1", "Zeta", "https://example.com/z.png"));
  EXPECT_EQ(storage.user_by_id("b1")->avatar_url, "https://example.com/z.png");
  EXPECT_FALSE(storage.update_user_profile("nope", "x", ""));

  storage.insert_session(make_session("hb", "b1", 10, 1000), {}, 10);
  EXPECT_TRUE(storage.delete_user("b1"));
  EXPECT_FALSE(storage.user_by_id("b1"));
  EXPECT_FALSE(storage.session_by_hash("hb", 20));  // cascaded
  EXPECT_FALSE(storage.delete_user("b1"));
  // The username is free again.
  EXPECT_EQ(storage.insert_user(make_user("b3", "ZETA_BOT")), InsertUserResult::ok);
}

TEST(StorageSqlite, SessionExpiryAndSweep) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  storage.insert_session(make_session("h1", std::nullopt, 100, 200), {}, 100);
  storage.insert_session(make_session("h2", std::nullopt, 100, 300), {}, 100);
  EXPECT_TRUE(storage.session_by_hash("h1", 199));
  EXPECT_FALSE(storage.session_by_hash("h1", 200));  // dead from expires_at on
  EXPECT_EQ(storage.delete_expired_sessions(250), 1u);
  EXPECT_EQ(storage.count_sessions(std::nullopt), 1u);
  EXPECT_TRUE(storage.delete_session("h2"));
  EXPECT_FALSE(storage.delete_session("h2"));
}

TEST(StorageSqlite, SessionForUnknownUserRejected) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  EXPECT_THROW(storage.insert_session(make_session("h", "ghost", 1, 100), {}, 1), StorageError);
}

TEST(StorageSqlite, PreLoginBoundEvictsOldest) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  SessionLimits limits;
  limits.max_pre_login = 3;
  for (int i = 0; i < 5; ++i)
    storage.insert_session(make_session(numbered("h", i), std::nullopt, 100 + i, 10000), limits, 100 + i);
  EXPECT_EQ(storage.count_sessions(std::nullopt), 3u);
  EXPECT_FALSE(storage.session_by_hash("h0", 200));
  EXPECT_FALSE(storage.session_by_hash("h1", 200));
  EXPECT_TRUE(storage.session_by_hash("h2", 200));
  EXPECT_TRUE(storage.session_by_hash("h4", 200));
}

TEST(StorageSqlite, PerUserBoundEvictsOldestOfThatUserOnly) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  ASSERT_EQ(storage.insert_user(make_user("u1", "a")), InsertUserResult::ok);
  ASSERT_EQ(storage.insert_user(make_user("u2", "b")), InsertUserResult::ok);
  SessionLimits limits;
  limits.max_per_user = 2;
  storage.insert_session(make_session("other", "u2", 1, 10000), limits, 1);
  for (int i = 0; i < 4; ++i)
    storage.insert_session(make_session(numbered("s", i), "u1", 10 + i, 10000), limits, 10 + i);
  EXPECT_EQ(storage.count_sessions("u1"), 2u);
  EXPECT_EQ(storage.count_sessions("u2"), 1u);
  EXPECT_TRUE(storage.session_by_hash("s3", 20));
  EXPECT_TRUE(storage.session_by_hash("s2", 20));
  EXPECT_FALSE(storage.session_by_hash("s1", 20));
}

TEST(StorageSqlite, ExpiredSessionsSweptBeforeBoundsApply) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  SessionLimits limits;
  limits.max_pre_login = 2;
  storage.insert_session(make_session("old", std::nullopt, 1, 50), limits, 1);
  storage.insert_session(make_session("live", std::nullopt, 2, 10000), limits, 2);
  storage.insert_session(make_session("new", std::nullopt, 100, 10000), limits, 100);  // "old" expired at 50
  EXPECT_TRUE(storage.session_by_hash("live", 101));
  EXPECT_TRUE(storage.session_by_hash("new", 101));
  EXPECT_EQ(storage.count_sessions(std::nullopt), 2u);
}

TEST(StorageSqlite, ReplaceSessionRotatesAtomically) {
  TempDir tmp;
  SqliteStorage storage(tmp.path());
  ASSERT_EQ(storage.insert_user(make_user("u1", "a")), InsertUserResult::ok);
  storage.insert_session(make_session("pre", std::nullopt, 1, 600), {}, 1);
  storage.replace_session("pre", make_session("post", "u1", 5, 5000), {}, 5);
  EXPECT_FALSE(storage.session_by_hash("pre", 6));
  EXPECT_EQ(storage.session_by_hash("post", 6)->user_id, "u1");
  // A failing insert leaves the old session in place (rolled back).
  storage.insert_session(make_session("pre2", std::nullopt, 7, 600), {}, 7);
  EXPECT_THROW(storage.replace_session("pre2", make_session("x", "ghost", 8, 5000), {}, 8), StorageError);
  EXPECT_TRUE(storage.session_by_hash("pre2", 9));
}

TEST(StorageSqlite, OneDataDirectoryOneStorageAtATime) {
  TempDir tmp;
  {
    SqliteStorage first(tmp.path());
    try {
      SqliteStorage second(tmp.path());
      ADD_FAILURE() << "a second storage opened a locked data directory";
    } catch (const StorageError& e) {
      EXPECT_NE(std::string(e.what()).find("in use by another parley-server (pid " + std::to_string(::getpid()) + ")"),
                std::string::npos) << e.what();
    }
  }
  SqliteStorage again(tmp.path());  // released with the first
}

TEST(StorageSqlite, ADamagedDatabaseIsRefusedAtOpen) {
  TempDir tmp;
  { SqliteStorage storage(tmp.path()); ASSERT_EQ(storage.insert_user(make_user("u1", "alice")), InsertUserResult::ok); }
  const auto file = tmp.path() / SqliteStorage::kFileName;
  const auto size = fs::file_size(file);
  ASSERT_GT(size, 4096u);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::string junk(size - 4096, '\xAB');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  try {
    SqliteStorage storage(tmp.path());
    ADD_FAILURE() << "opened a damaged database";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("Restore it from a backup"), std::string::npos) << e.what();
  }
}
