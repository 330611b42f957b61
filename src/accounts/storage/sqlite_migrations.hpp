#pragma once
// Schema migrations, tracked in PRAGMA user_version: migration i brings the schema to version i+1.
#include <string_view>
#include <vector>

namespace parley::storage {

class Database;

// The ordered list of migrations (SQL scripts). Never edit a shipped entry; append a new one.
const std::vector<std::string_view>& schema_migrations();

// Applies the missing migrations, each in its own transaction. Throws StorageError if the file
// has a newer schema than this binary knows (refuse rather than corrupt).
void migrate(Database& db);

int schema_version(Database& db);

}  // namespace parley::storage
