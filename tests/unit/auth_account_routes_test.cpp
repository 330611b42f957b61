// transport::AccountRoutes in-process: storage failures become 500 {"err":"internal error"} and
// the server goes on; a blocking route (remote avatar) runs on the pool and is answered on the
// I/O thread; the management listener refuses to take a path that holds another file.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "auth_test_support.hpp"
#include "accounts/accounts.hpp"
#include "accounts/signalling_adapters.hpp"
#include "signalling/routing/local_presence.hpp"
#include "signalling/routing/local_router.hpp"
#include "signalling/name_policy.hpp"
#include "accounts/storage/sqlite_storage.hpp"
#include "transport/account_routes.hpp"
#include "transport/management_listener.hpp"
#include "transport/ws_hub.hpp"

using namespace parley;
namespace http = boost::beast::http;

namespace {

// Delegates to SQLite until `broken` is set, then fails like a full or corrupt disk.
class BreakableStorage final : public storage::Storage {
 public:
  explicit BreakableStorage(const std::filesystem::path& dir) : real_(dir) {}
  bool broken = false;

  std::optional<storage::User> user_by_id(std::string_view id) override { return check(), real_.user_by_id(id); }
  std::optional<storage::User> user_by_username(std::string_view u) override { return check(), real_.user_by_username(u); }
  std::optional<storage::User> user_by_github_id(std::int64_t id) override { return check(), real_.user_by_github_id(id); }
  std::optional<storage::User> user_by_dn42(std::string_view a, std::string_view m) override {
    return check(), real_.user_by_dn42(a, m);
  }
  std::vector<storage::User> users_looking_like(std::string_view n) override { return check(), real_.users_looking_like(n); }
  storage::InsertUserResult insert_user(const storage::User& u) override { return check(), real_.insert_user(u); }
  bool update_user_profile(std::string_view id, std::string_view d, std::string_view a) override {
    return check(), real_.update_user_profile(id, d, a);
  }
  bool delete_user(std::string_view id) override { return check(), real_.delete_user(id); }
  std::vector<storage::User> list_bots() override { return check(), real_.list_bots(); }
  void insert_session(const storage::Session& s, const storage::SessionLimits& l, std::int64_t now) override {
    check(), real_.insert_session(s, l, now);
  }
  void replace_session(std::string_view old, const storage::Session& s, const storage::SessionLimits& l,
                       std::int64_t now) override {
    check(), real_.replace_session(old, s, l, now);
  }
  std::optional<storage::Session> session_by_hash(std::string_view h, std::int64_t now) override {
    return check(), real_.session_by_hash(h, now);
  }
  bool delete_session(std::string_view h) override { return check(), real_.delete_session(h); }
  std::size_t delete_expired_sessions(std::int64_t now) override { return check(), real_.delete_expired_sessions(now); }
  std::size_t count_sessions(std::optional<std::string_view> u) override { return check(), real_.count_sessions(u); }

 private:
  void check() const {
    if (broken) throw storage::StorageError("database disk image is malformed");
  }
  storage::SqliteStorage real_;
};

// The server's resolver over the accounts, made once the fixture's accounts exist.
struct AccountsResolverSlot final : signalling::IdentityResolver {
  std::unique_ptr<accounts::AccountsIdentityResolver> inner;
  signalling::HandshakeIdentity resolve(std::string_view authorization, std::string_view cookie) const override {
    return inner->resolve(authorization, cookie);
  }
};

class AccountRoutesTest : public ::testing::Test {
 protected:
  AccountRoutesTest() {
    auto owned = std::make_unique<BreakableStorage>(tmp.path());
    store = owned.get();
    accounts::AccountsConfig cfg;
    cfg.data_dir = tmp.path();
    accounts = std::make_unique<accounts::Accounts>(cfg, outbound, std::move(owned));
    identities.inner = std::make_unique<accounts::AccountsIdentityResolver>(accounts->authenticator(), clock);
    routes_glue = std::make_unique<transport::AccountRoutes>(io, pool, *accounts, clock);
    routes_glue->install(routes);
  }

  // Sends one request through the route table and runs the I/O loop until it is answered.
  transport::StringResponse request(http::verb verb, const std::string& target, const std::string& cookie = "") {
    transport::Request req{verb, target, 11};
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    std::optional<transport::StringResponse> got;
    routes.handle(req, [&](transport::Response r, std::function<void()>) {
      answered_on = std::this_thread::get_id();
      got = std::get<transport::StringResponse>(std::move(r));
    });
    // Keeps run_for waiting while the pool works (the I/O loop has nothing else to do).
    auto guard = boost::asio::make_work_guard(io);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!got && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(10));
    }
    if (!got) throw std::runtime_error("no answer");
    return *got;
  }

  test::TempDir tmp;
  test::ScriptedHttp outbound;
  BreakableStorage* store = nullptr;
  std::unique_ptr<accounts::Accounts> accounts;
  boost::asio::io_context io;
  boost::asio::thread_pool pool{1};
  signalling::SystemClock clock;
  signalling::LocalRouter router;
  signalling::NoReservedNames names;
  signalling::EveryoneSeesEveryone everyone;
  signalling::LocalPresence presence{everyone};
  signalling::SignallingService service{router, presence, names, clock, {}};
  transport::ServerConfig config;
  AccountsResolverSlot identities;
  transport::WsHub hub{io, service, clock, config.ws};
  transport::HttpRoutes routes{config, service, hub, identities};
  std::unique_ptr<transport::AccountRoutes> routes_glue;
  std::thread::id answered_on;
};

}  // namespace

TEST_F(AccountRoutesTest, StorageFailureIs500AndTheNextRequestIsServed) {
  ASSERT_EQ(request(http::verb::get, "/api/profile?username=ghost").result_int(), 404u);
  store->broken = true;
  for (const char* target : {"/api/profile?username=ghost", "/profile/avatar?username=ghost", "/api/profile/status"}) {
    auto r = request(http::verb::get, target, "session_id=abc");  // a cookie makes status look it up
    EXPECT_EQ(r.result_int(), 500u) << target;
    EXPECT_EQ(r.body(), R"({"err":"internal error"})");
  }
  EXPECT_EQ(request(http::verb::get, "/api/conns").result_int(), 200u) << "the peer list does not need storage";
  store->broken = false;
  EXPECT_EQ(request(http::verb::get, "/api/profile?username=ghost").result_int(), 404u);
}

TEST_F(AccountRoutesTest, RemoteAvatarIsFetchedOnThePoolAndAnsweredOnTheIoThread) {
  storage::User u;
  u.id = "3f1c0d9e-1111-4abc-8def-0123456789ab";
  u.username = "remote_bot";
  u.avatar_url = "https://avatars.example/r.png";
  u.is_bot = true;
  ASSERT_EQ(store->insert_user(u), storage::InsertUserResult::ok);
  outbound.reply(200, "\x89PNG-bytes", "image/png");
  auto r = request(http::verb::get, "/api/profile/avatar?username=remote_bot");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "image/png");
  EXPECT_EQ(r.body(), "\x89PNG-bytes");
  EXPECT_EQ(answered_on, std::this_thread::get_id()) << "written from the I/O thread";
  ASSERT_EQ(outbound.requests.size(), 1u);
  EXPECT_EQ(outbound.requests[0].url, "https://avatars.example/r.png");
  // Cached now: HEAD answers at once, with the length and no body, without another fetch.
  auto head = request(http::verb::head, "/api/profile/avatar?username=remote_bot");
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(std::string("\x89PNG-bytes").size()));
  EXPECT_EQ(outbound.requests.size(), 1u);
}

TEST(ManagementListenerTest, RefusesAPathHoldingAnotherFileAndLeavesItAlone) {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.path());
  const auto file = tmp.path() / "important.txt";
  { std::ofstream(file) << "keep me"; }
  boost::asio::io_context io;
  boost::asio::thread_pool pool{1};
  test::ScriptedHttp outbound;
  accounts::AccountsConfig cfg;
  cfg.data_dir = tmp.path() / "data";
  accounts::Accounts accounts(cfg, outbound);
  signalling::SystemClock clock;
  transport::ManagementListener listener(io, pool, accounts.bots(), clock);
  EXPECT_THROW(listener.start(file), std::runtime_error);
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "keep me");
}

TEST_F(AccountRoutesTest, AStorageFailureNeverTurnsACallerIntoAnAnonymousOne) {
  accounts::BotFields fields;
  fields.username = "echo_bot";
  const auto added = accounts->bots().add(fields, clock.unix_s());
  ASSERT_EQ(added.status, 200u) << added.body;
  const std::string token(boost::json::parse(added.body).at("token").as_string());
  const auto as_bot = identities.resolve("Bearer " + token, "");
  ASSERT_FALSE(as_bot.unavailable);
  EXPECT_EQ(as_bot.identity.username, "echo_bot");

  store->broken = true;
  // Fail closed: the handshake is refused (503) rather than letting the bot in as `userNNNN`,
  // and /conns answers 503 to a caller it cannot identify.
  for (const auto& [authorization, cookie] : {std::pair<std::string, std::string>{"Bearer " + token, ""}, {"", "session_id=abc"}}) {
    const auto who = identities.resolve(authorization, cookie);
    EXPECT_TRUE(who.unavailable) << authorization << cookie;
    EXPECT_EQ(who.identity.authentication, signalling::Authentication::none);
  }
  auto r = request(http::verb::get, "/api/conns", "session_id=abc");
  EXPECT_EQ(r.result_int(), 503u);
  EXPECT_EQ(r.body(), R"({"err":"accounts unavailable"})");
  EXPECT_EQ(request(http::verb::get, "/api/conns").result_int(), 200u) << "an anonymous caller needs no lookup";
  EXPECT_FALSE(identities.resolve("", "").unavailable);

  store->broken = false;
  EXPECT_EQ(identities.resolve("Bearer " + token, "").identity.username, "echo_bot");
}
