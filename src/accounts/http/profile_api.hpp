#pragma once
// /profile, /profile/status and /profile/avatar (PROTOCOL.md §3.4, §3.5) for an already resolved
// Caller. Remote avatars are not fetched here: avatar() says which URL to hand to AvatarFetcher.
#include <optional>
#include <string>

#include "accounts/http/http_types.hpp"
#include "accounts/caller.hpp"
#include "accounts/storage/storage.hpp"

namespace parley::accounts {

class ProfileApi {
 public:
  explicit ProfileApi(storage::Storage& storage) : storage_(storage) {}

  // GET /profile[?username=U]: {"username","displayName"?,"avatarURL"?}; 401 {"err":"Unauthorized"}
  // without a user, 404 {"err":"User is not found"} for an unknown U (ASCII case-insensitive).
  HttpReply profile(const Caller& caller, const QueryParams& query);

  // GET /profile/status: 200 {"logged_in":bool}.
  HttpReply status(const Caller& caller);

  struct AvatarPlan {
    std::optional<HttpReply> reply;  // final answer (image, 400, 401, 404)
    std::string remote_url;          // otherwise: fetch this https URL with AvatarFetcher
  };
  // GET /profile/avatar[?username=U].
  AvatarPlan avatar(const Caller& caller, const QueryParams& query);

  // The profile JSON of one user.
  static std::string profile_json(const storage::User& user);

 private:
  // The user addressed by ?username= or the identity, or the error reply.
  std::optional<storage::User> subject(const Caller& caller, const QueryParams& query, HttpReply& error);

  storage::Storage& storage_;
};

}  // namespace parley::accounts
