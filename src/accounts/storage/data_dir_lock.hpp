#pragma once
// An exclusive lock on a data directory (`<dir>/parley.lock`, flock), held for the life of the
// object. Two servers on one SQLite database would each cache accounts the other deletes (issue
// 12, F3); a cluster shares PostgreSQL instead, never one data directory.
#include <filesystem>

namespace parley::storage {

class DataDirLock {
 public:
  static constexpr const char* kFileName = "parley.lock";

  // Creates `dir` (0700) if needed and takes the lock. Throws StorageError naming the directory,
  // and the pid of the holder when known, if another process holds it.
  explicit DataDirLock(const std::filesystem::path& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace parley::storage
