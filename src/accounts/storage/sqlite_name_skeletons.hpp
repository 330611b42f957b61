#pragma once
// Keeps the users table's skeleton columns (migration 2) in step with this build's ICU data.
namespace parley::storage {

class Database;

// Recomputes every username's confusable skeletons and rewrites those that changed (all of them
// after migration 2, none on an ordinary start). One transaction.
void refresh_name_skeletons(Database& db);

}  // namespace parley::storage
