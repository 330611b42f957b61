// Startup checks of the accounts flags: a bad value stops the server with exit code 2 and a
// message naming the flag (or the environment variable).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "accounts_support.hpp"

using namespace parley::conformance;

namespace {

CliResult start(const TempDir& dir, std::vector<std::string> flags) {
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--env-file", "", "--management-listen", ""};
  if (std::find(flags.begin(), flags.end(), "--data-dir") == flags.end())
    args.insert(args.end(), {"--data-dir", (dir.path / "d").string()});
  args.insert(args.end(), flags.begin(), flags.end());
  return run_server_cli(args);
}

}  // namespace

TEST(AccountOptions, BadValuesNameTheFlagAndExit2) {
  TempDir dir;
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--jwt-lifetime", "0s"}, "--jwt-lifetime"},
      {{"--session-lifetime", "soon"}, "--session-lifetime"},
      {{"--login-success-redir-url", "/relative"}, "--login-success-redir-url"},
      {{"--kioubit-login-redir-url", "https://chat.example.dn42/api/kioubit/login/auth"}, "--kioubit-login-pubkey"},
      {{"--cookie-samesite", "None"}, "--cookie-secure"},
      {{"--data-dir", ""}, "--data-dir"},
      {{"--cookie-domain", "a;b"}, "--cookie-domain"},
      {{"--github-login-redir-url", "x"}, "--github-login-redir-url"},
  };
  setenv("GH_LOGIN_CLIENT_ID", "id", 1);  // GitHub URLs are checked only when GitHub is enabled
  setenv("GH_LOGIN_CLIENT_SECRET", "secret", 1);
  for (const auto& [flags, named] : cases) {
    auto r = start(dir, flags);
    EXPECT_EQ(r.exit_code, 2) << flags[0];
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
  unsetenv("GH_LOGIN_CLIENT_SECRET");
  setenv("GH_LOGIN_CLIENT_ID", "only-the-id", 1);
  auto half = start(dir, {});
  unsetenv("GH_LOGIN_CLIENT_ID");
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("GH_LOGIN_CLIENT_SECRET"), std::string::npos) << half.err;
}

TEST(AccountOptions, ShortJwtKeyFileIsFatal) {
  TempDir dir;
  const auto key = dir.path / "short.key";
  { std::ofstream(key) << "too short"; }
  auto r = start(dir, {"--jwt-secret-file", key.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("cannot set up accounts"), std::string::npos) << r.out << r.err;
}

TEST(AccountOptions, KioubitKeyMustBeP521) {
  TempDir dir;
  const auto pem = dir.path / "p256.pem";
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* bio = BIO_new_file(pem.c_str(), "w");
  PEM_write_bio_PUBKEY(bio, key);
  BIO_free(bio);
  EVP_PKEY_free(key);
  auto r = start(dir, {"--kioubit-login-pubkey", pem.string(), "--kioubit-login-redir-url",
                       "https://chat.example.dn42/api/kioubit/login/auth"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("P-521"), std::string::npos) << r.out << r.err;
}
