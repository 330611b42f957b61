// The data directory (issue 12, F3 and F4): one server at a time, a damaged or emptied database
// is refused at start instead of starting empty, and a lost JWT key is never replaced silently
// while bot tokens depend on it.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "accounts_support.hpp"

using namespace parley::conformance;
namespace fs = std::filesystem;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }

fs::path data_of(const TempDir& dir) { return dir.path / "data"; }
fs::path db_of(const TempDir& dir) { return data_of(dir) / "parley.db"; }

// A start that is expected to be refused: the same data directory, its own management socket.
CliResult start_refused(const TempDir& dir, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--env-file", "", "--data-dir", data_of(dir).string(),
                                   "--management-listen", (dir.path / "other.sock").string(), "--log-level", "error"};
  args.insert(args.end(), more.begin(), more.end());
  return run_server_cli(args, std::chrono::seconds(10));
}

// A data directory that holds one bot, with the server stopped cleanly; returns its token.
std::string data_dir_with_a_bot(const TempDir& dir) {
  ServerProcess server(account_args(dir));
  auto token = add_bot(socket_path(dir), "echo_bot");
  EXPECT_EQ(server.stop(SIGTERM), 0);
  return token;
}

void overwrite(const fs::path& file, std::uintmax_t offset, std::size_t length, char byte) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << file;
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string junk(length, byte);
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

}  // namespace

TEST(DataDir, ASecondServerOnTheSameDirectoryIsRefusedAndTheFirstKeepsServing) {
  TempDir dir;
  ServerProcess first(account_args(dir));
  add_bot(socket_path(dir), "echo_bot");

  auto second = start_refused(dir);
  EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
  const std::string said = second.out + second.err;
  EXPECT_NE(said.find("is in use by another parley-server (pid " + std::to_string(first.pid()) + ")"), std::string::npos)
      << said;
  EXPECT_FALSE(fs::exists(dir.path / "other.sock")) << "the refused server took no socket";

  // The first server still owns everything: a delete through it is the only truth.
  auto listed = management(socket_path(dir), "GET", "/bots");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("echo_bot"), std::string::npos);
  ASSERT_EQ(management(socket_path(dir), "POST", "/bots/delete", "application/json", R"({"username":"echo_bot"})").status,
            200);

  // Once it is gone the directory is free again, and holds what the first server left.
  ASSERT_EQ(first.stop(SIGTERM), 0);
  ServerProcess third(account_args(dir));
  EXPECT_EQ(management(socket_path(dir), "GET", "/bots").body.find("echo_bot"), std::string::npos);
}

TEST(DataDir, AnEmptiedDatabaseIsRefusedAndLeftAsItIs) {
  TempDir dir;
  data_dir_with_a_bot(dir);
  fs::remove(data_of(dir) / "parley.db-wal");
  fs::remove(data_of(dir) / "parley.db-shm");
  fs::resize_file(db_of(dir), 0);

  auto r = start_refused(dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("is empty (0 bytes)"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(fs::file_size(db_of(dir)), 0u) << "nothing was written over it";
}

TEST(DataDir, ADamagedDatabaseIsRefused) {
  for (const bool header : {true, false}) {
    SCOPED_TRACE(header ? "header overwritten" : "pages overwritten");
    TempDir dir;
    data_dir_with_a_bot(dir);
    const auto size = fs::file_size(db_of(dir));
    ASSERT_GE(size, 2u * 4096u);
    if (header) overwrite(db_of(dir), 0, 100, 'x');
    else overwrite(db_of(dir), 4096, static_cast<std::size_t>(size - 4096), '\xAB');  // every page after the first

    auto r = start_refused(dir);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("Restore it from a backup"), std::string::npos) << r.out << r.err;
    EXPECT_EQ(fs::file_size(db_of(dir)), size);
  }
}

TEST(DataDir, AMissingKeyBesideBotsIsRefusedUnlessANewOneIsAskedFor) {
  TempDir dir;
  const std::string old_token = data_dir_with_a_bot(dir);
  const fs::path key = data_of(dir) / "jwt-secret.key";
  ASSERT_TRUE(fs::remove(key));

  auto refused = start_refused(dir);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("--new-jwt-key"), std::string::npos) << refused.out << refused.err;
  EXPECT_FALSE(fs::exists(key)) << "no key was made";

  // Asked for: a new key, the old token is refused, a new one works.
  ServerProcess server(account_args(dir, {"--new-jwt-key"}));
  EXPECT_TRUE(fs::exists(key));
  auto stale = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + old_token}});
  auto err = stale->next_with_key("error");
  ASSERT_TRUE(err);
  EXPECT_EQ(str(err->at("error").at("code")), "invalid_token");
  auto fresh = management(socket_path(dir), "POST", "/bots/token", "application/json", R"({"username":"echo_bot"})");
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  auto ws = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + str(json::parse(fresh.body).at("token"))}});
  const auto id = ws->register_as("");
  EXPECT_EQ(str(conns(server.port()).at(id).at("username")), "echo_bot");
}

TEST(DataDir, AMissingKeyWithoutBotsIsSimplyCreated) {
  TempDir dir;
  { ServerProcess first(account_args(dir)); }
  const fs::path key = data_of(dir) / "jwt-secret.key";
  ASSERT_TRUE(fs::remove(key));
  ServerProcess second(account_args(dir));
  EXPECT_TRUE(fs::exists(key));
}
