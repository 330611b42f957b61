// parley-server --check-config: a good configuration exits 0 with "configuration OK" and leaves
// the disk as it was (no data dir, database, lock or socket directory made); a bad TLS key, a data
// dir that cannot be used or a broken key file exit 2 naming the reason; a missing web client is
// only a warning, as at start.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <set>

#include "accounts_support.hpp"

using namespace parley::conformance;
namespace fs = std::filesystem;

namespace {

struct Config {
  TempDir dir;
  fs::path web = dir.path / "web";
  Config() {
    fs::create_directories(web);
    std::ofstream(web / "index.html") << "<!doctype html>";
  }
  // A complete command line; `more` holds FLAG VALUE pairs that replace the defaults or add to them.
  CliResult check(std::vector<std::string> more = {}) const {
    std::vector<std::pair<std::string, std::string>> flags = {
        {"--env-file", ""}, {"--listen", "127.0.0.1:0"}, {"--data-dir", (dir.path / "data").string()},
        {"--management-listen", (dir.path / "run" / "management.sock").string()}, {"--web-root", web.string()}};
    for (std::size_t i = 0; i + 1 < more.size(); i += 2) {
      auto it = std::find_if(flags.begin(), flags.end(), [&](const auto& f) { return f.first == more[i]; });
      if (it != flags.end()) it->second = more[i + 1];
      else flags.emplace_back(more[i], more[i + 1]);
    }
    std::vector<std::string> args = {"--check-config"};
    for (const auto& [flag, value] : flags) args.insert(args.end(), {flag, value});
    return run_server_cli(args);
  }
  void dev_ca() const {
    const std::string cmd = std::string(PARLEY_DEV_CA_SCRIPT) + " -d '" + (dir.path / "tls").string() + "' localhost >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
};

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) names.insert(e.path().lexically_relative(dir).string());
  return names;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(CheckConfig, GoodConfigurationIsOkAndTouchesNothing) {
  Config c;
  c.dev_ca();
  std::ofstream(c.dir.path / "turn-secret") << "shared-with-coturn\n";
  const auto before = listing(c.dir.path);
  auto r = c.check({"--tls-cert", (c.dir.path / "tls/server.pem").string(), "--tls-key",
                    (c.dir.path / "tls/server.key").string(), "--turn-secret-file",
                    (c.dir.path / "turn-secret").string(), "--turn-url", "turn:localhost:3478"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "configuration OK")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: TLS certificate")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: data dir " + (c.dir.path / "data").string() + ": missing, can be created")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: web root")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: management socket")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: TURN")) << r.out;
  EXPECT_FALSE(has(r.out, "warning:")) << r.out;
  EXPECT_EQ(listing(c.dir.path), before) << "--check-config created something";
}

TEST(CheckConfig, ExistingDataDirIsOnlyLookedAt) {
  Config c;
  {  // a real data dir: one start of the server makes parley.db, the key and the lock
    ServerProcess server({"--data-dir", (c.dir.path / "data").string(), "--management-listen",
                          (c.dir.path / "run" / "management.sock").string()});
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
  const auto before = listing(c.dir.path / "data");
  ASSERT_TRUE(before.count("parley.db")) << "the server made no parley.db";
  const auto db_time = fs::last_write_time(c.dir.path / "data" / "parley.db");
  auto r = c.check();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "parley.db present")) << r.out;
  EXPECT_TRUE(has(r.out, "checked: JWT key")) << r.out;
  EXPECT_EQ(listing(c.dir.path / "data"), before);
  EXPECT_EQ(fs::last_write_time(c.dir.path / "data" / "parley.db"), db_time);
}

TEST(CheckConfig, BadTlsKeyExits2NamingIt) {
  Config c;
  c.dev_ca();
  const auto junk = c.dir.path / "junk.key";
  std::ofstream(junk) << "not a key\n";
  auto r = c.check({"--tls-cert", (c.dir.path / "tls/server.pem").string(), "--tls-key", junk.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.err, junk.string())) << r.err;
  EXPECT_FALSE(has(r.out, "configuration OK"));
}

TEST(CheckConfig, UnusableDataDirExits2WithTheReason) {
  Config c;
  const auto file = c.dir.path / "a-file";
  std::ofstream(file) << "x";
  auto is_file = c.check({"--data-dir", file.string()});
  EXPECT_EQ(is_file.exit_code, 2) << is_file.out << is_file.err;
  EXPECT_TRUE(has(is_file.err, "--data-dir " + file.string() + " exists and is not a directory")) << is_file.err;
  EXPECT_TRUE(has(is_file.err, "configuration has 1 problem(s)")) << is_file.err;

  auto under_file = c.check({"--data-dir", (file / "data").string()});
  EXPECT_EQ(under_file.exit_code, 2);
  EXPECT_TRUE(has(under_file.err, "cannot be created")) << under_file.err;

  fs::create_directories(c.dir.path / "damaged");
  std::ofstream(c.dir.path / "damaged" / "parley.db");  // 0 bytes: the server refuses it
  auto empty_db = c.check({"--data-dir", (c.dir.path / "damaged").string()});
  EXPECT_EQ(empty_db.exit_code, 2);
  EXPECT_TRUE(has(empty_db.err, "is empty (0 bytes)")) << empty_db.err;

  if (::geteuid() != 0) {  // root may write anywhere access(2) allows: no read-only dir for it
    fs::create_directories(c.dir.path / "ro");
    fs::permissions(c.dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto ro = c.check({"--data-dir", (c.dir.path / "ro").string()});
    fs::permissions(c.dir.path / "ro", fs::perms::owner_all);
    EXPECT_EQ(ro.exit_code, 2);
    EXPECT_TRUE(has(ro.err, "is not writable")) << ro.err;
  }
}

TEST(CheckConfig, OtherProblemsExit2AndAMissingWebClientWarns) {
  Config c;
  const auto short_key = c.dir.path / "short.key";
  std::ofstream(short_key) << "too short";
  auto key = c.check({"--jwt-secret-file", short_key.string()});
  EXPECT_EQ(key.exit_code, 2);
  EXPECT_TRUE(has(key.err, "--jwt-secret-file")) << key.err;

  const auto not_socket = c.dir.path / "not-a-socket";
  std::ofstream(not_socket) << "data";
  auto sock = c.check({"--management-listen", not_socket.string()});
  EXPECT_EQ(sock.exit_code, 2);
  EXPECT_TRUE(has(sock.err, "exists and is not a socket")) << sock.err;

  auto no_web = c.check({"--web-root", (c.dir.path / "nowhere").string()});
  EXPECT_EQ(no_web.exit_code, 0) << no_web.err;
  EXPECT_TRUE(has(no_web.out, "warning: --web-root")) << no_web.out;
  EXPECT_TRUE(has(no_web.out, "configuration OK")) << no_web.out;

  auto turn = c.check({"--turn-secret-file", (c.dir.path / "no-secret").string(), "--turn-url", "turn:localhost:3478"});
  EXPECT_EQ(turn.exit_code, 2);
  EXPECT_TRUE(has(turn.err, "--turn-secret-file")) << turn.err;

  std::ofstream(c.dir.path / "turn-secret") << "shared-with-coturn\n";
  const auto turn_ttl = [&](const std::string& ttl) {
    return c.check({"--turn-secret-file", (c.dir.path / "turn-secret").string(), "--turn-url", "turn:localhost:3478",
                    "--turn-ttl", ttl});
  };
  EXPECT_EQ(turn_ttl("1m").exit_code, 0) << turn_ttl("1m").err;
  EXPECT_EQ(turn_ttl("7d").exit_code, 0) << turn_ttl("7d").err;
  for (const char* bad : {"59s", "8d"}) {
    auto r = turn_ttl(bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_TRUE(has(r.err, "--turn-ttl must be between 1m and 7d")) << r.err;
  }

  // Abuse penalties: 0 (off) up to 24h; trusted proxies must be IP addresses, v4 or v6.
  for (const char* good : {"0", "30s", "24h"}) EXPECT_EQ(c.check({"--abuse-penalty", good}).exit_code, 0) << good;
  for (const char* bad : {"25h", "-1s", "soon"}) {
    auto r = c.check({"--abuse-penalty", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_TRUE(has(r.err, "--abuse-penalty must be between 0 and 24h")) << r.err;
  }
  EXPECT_EQ(c.check({"--trusted-proxy", "10.0.0.1", "--trusted-proxy", "fd00::1"}).exit_code, 0);
  auto proxy = c.check({"--trusted-proxy", "10.0.0.1,nginx.local"});
  EXPECT_EQ(proxy.exit_code, 2);
  EXPECT_TRUE(has(proxy.err, "--trusted-proxy must be an IP address (got 'nginx.local')")) << proxy.err;

  auto bad_flag = c.check({"--listen", "nowhere"});  // the options' own checks come first
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_TRUE(has(bad_flag.err, "--listen")) << bad_flag.err;
}
