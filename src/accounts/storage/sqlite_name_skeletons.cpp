#include "accounts/storage/sqlite_name_skeletons.hpp"

#include <string>
#include <vector>

#include "accounts/storage/sqlite_handle.hpp"
#include "signalling/confusables.hpp"

namespace parley::storage {

void refresh_name_skeletons(Database& db) {
  Transaction tx(db);
  struct Stale {
    std::string id;
    signalling::NameSkeletons skeletons;
  };
  std::vector<Stale> stale;
  {
    StatementUse st(db, "SELECT id, username, skeleton_folded, skeleton_written FROM users");
    while (st->step()) {
      auto skeletons = signalling::name_skeletons(st->text(1));
      if (skeletons.folded != st->text(2) || skeletons.as_written != st->text(3))
        stale.push_back({st->text(0), std::move(skeletons)});
    }
  }
  for (const auto& row : stale) {
    StatementUse st(db, "UPDATE users SET skeleton_folded = ?2, skeleton_written = ?3 WHERE id = ?1");
    st->bind(1, row.id).bind(2, row.skeletons.folded).bind(3, row.skeletons.as_written);
    st->step();
  }
  tx.commit();
}

}  // namespace parley::storage
