#pragma once
// Accounts and sessions, as the auth core sees them. SqliteStorage is the embedded implementation;
// a shared database for several servers can implement the same interface later.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace parley::storage {

struct User {
  std::string id;            // UUID v4, the JWT `sub`
  std::string username;      // unique, ASCII case-insensitively
  std::string display_name;  // "" when none
  std::string avatar_url;    // "" when none; an https URL or a data: URL
  std::optional<std::int64_t> github_id;
  std::optional<std::string> dn42_asn;  // set together with dn42_mnt; the pair is unique
  std::optional<std::string> dn42_mnt;
  bool is_bot = false;
  std::int64_t created_at = 0;  // unix s
};

struct Session {
  std::string id_hash;                 // sha256_hex of the cookie value; the raw id is never stored
  std::optional<std::string> user_id;  // nullopt while the login is in progress
  std::int64_t created_at = 0;         // unix s
  std::int64_t expires_at = 0;         // unix s; the session is dead from this second on
};

// PROTOCOL.md §3.8: at most this many pre-login sessions and sessions per user; oldest evicted.
struct SessionLimits {
  std::size_t max_pre_login = 10000;
  std::size_t max_per_user = 50;
};

// username_confusable: another account's username looks like this one (signalling::look_alike).
enum class InsertUserResult { ok, username_taken, username_confusable, identity_taken };

// Thrown for database failures (I/O, corruption, schema from a newer version). Not for
// constraint violations the interface reports as results.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual std::optional<User> user_by_id(std::string_view id) = 0;
  // ASCII case-insensitive.
  virtual std::optional<User> user_by_username(std::string_view username) = 0;
  virtual std::optional<User> user_by_github_id(std::int64_t github_id) = 0;
  virtual std::optional<User> user_by_dn42(std::string_view asn, std::string_view mnt) = 0;
  // Accounts whose username looks like `name` (signalling/confusables.hpp), for reserved names.
  virtual std::vector<User> users_looking_like(std::string_view name) = 0;
  virtual InsertUserResult insert_user(const User& user) = 0;
  // Returns false if no such user.
  virtual bool update_user_profile(std::string_view id, std::string_view display_name,
                                   std::string_view avatar_url) = 0;
  // Deletes the user and its sessions. Returns false if no such user.
  virtual bool delete_user(std::string_view id) = 0;
  // Bot accounts, ordered by username.
  virtual std::vector<User> list_bots() = 0;

  // Inserts a session, first sweeping expired ones and evicting the oldest beyond `limits`
  // (pre-login sessions count against max_pre_login, bound ones against max_per_user).
  virtual void insert_session(const Session& session, const SessionLimits& limits, std::int64_t now) = 0;
  // Atomically deletes `old_id_hash` (if present) and inserts `fresh` (session id rotation at login).
  virtual void replace_session(std::string_view old_id_hash, const Session& fresh, const SessionLimits& limits,
                               std::int64_t now) = 0;
  // A live session (expires_at > now), or nullopt.
  virtual std::optional<Session> session_by_hash(std::string_view id_hash, std::int64_t now) = 0;
  virtual bool delete_session(std::string_view id_hash) = 0;
  // Removes sessions with expires_at <= now; returns how many.
  virtual std::size_t delete_expired_sessions(std::int64_t now) = 0;
  // Number of stored sessions of a user, or pre-login sessions for nullopt (expired included).
  virtual std::size_t count_sessions(std::optional<std::string_view> user_id) = 0;
};

}  // namespace parley::storage
