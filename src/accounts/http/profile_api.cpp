#include "accounts/http/profile_api.hpp"

#include <boost/json.hpp>

#include "accounts/avatar.hpp"

namespace parley::accounts {

namespace json = boost::json;

std::string ProfileApi::profile_json(const storage::User& user) {
  json::object o{{"username", user.username}};
  if (!user.display_name.empty()) o["displayName"] = user.display_name;
  if (!user.avatar_url.empty()) o["avatarURL"] = user.avatar_url;
  return json::serialize(o);
}

std::optional<storage::User> ProfileApi::subject(const Caller& caller, const QueryParams& query,
                                                 HttpReply& error) {
  if (const auto name = query_value(query, "username")) {
    // Usernames are at most 64 characters; a longer one cannot exist, so skip the lookup.
    auto user = name->size() <= 256 ? storage_.user_by_username(*name) : std::nullopt;
    if (!user) error = json_error(404, "User is not found");
    return user;
  }
  if (!caller.user) error = json_error(401, "Unauthorized");
  return caller.user;
}

HttpReply ProfileApi::profile(const Caller& caller, const QueryParams& query) {
  HttpReply error;
  const auto user = subject(caller, query, error);
  return user ? json_reply(profile_json(*user)) : error;
}

HttpReply ProfileApi::status(const Caller& caller) {
  return json_reply(json::serialize(json::object{{"logged_in", caller.user.has_value()}}));
}

ProfileApi::AvatarPlan ProfileApi::avatar(const Caller& caller, const QueryParams& query) {
  AvatarPlan plan;
  HttpReply error;
  const auto user = subject(caller, query, error);
  if (!user) {
    plan.reply = std::move(error);
  } else if (user->avatar_url.empty()) {
    plan.reply = json_error(404, "No avatar URL found");
  } else if (is_data_url(user->avatar_url)) {
    plan.reply = data_url_avatar_reply(user->avatar_url);
  } else {
    plan.remote_url = user->avatar_url;
  }
  return plan;
}

}  // namespace parley::accounts
