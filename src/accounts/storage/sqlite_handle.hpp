#pragma once
// RAII wrappers for sqlite3 and sqlite3_stmt. Errors become storage::StorageError.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::storage {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done. Throws on errors, including
  // constraint violations (see constraint_error()).
  bool step();
  void reset();  // resets and clears bindings; done automatically by StatementUse

  std::string text(int column) const;
  std::int64_t int64(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Thrown by Statement::step for a UNIQUE/CHECK/FOREIGN KEY failure; what() names the constraint,
// e.g. "UNIQUE constraint failed: users.username".
class ConstraintError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // Opens (creating if needed) the database file. Throws StorageError.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  // A cached prepared statement for `sql` (prepared once per connection).
  Statement& prepared(std::string_view sql);
  std::int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// Borrows a cached statement and resets it on scope exit, so no statement stays busy.
class StatementUse {
 public:
  StatementUse(Database& db, std::string_view sql) : stmt_(db.prepared(sql)) {}
  ~StatementUse() { stmt_.reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() { return &stmt_; }
  Statement& operator*() { return stmt_; }

 private:
  Statement& stmt_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace parley::storage
