// Random and adversarial bytes through every parser that sees network input: each must answer
// with an error value, never throw or crash. Seeds are fixed so a failure reproduces.
#include <gtest/gtest.h>

#include <random>

#include "auth_test_support.hpp"
#include "accounts/avatar.hpp"
#include "accounts/bot_accounts.hpp"
#include "accounts/http/cookie.hpp"
#include "accounts/jwt_service.hpp"
#include "accounts/logins/kioubit_verifier.hpp"
#include "accounts/http/multipart.hpp"
#include "accounts/logins/redirect_policy.hpp"
#include "accounts/storage/sqlite_storage.hpp"

using namespace parley::accounts;

namespace {

// Random strings biased towards the characters the parsers care about.
std::string random_input(std::mt19937& rng) {
  static const std::string alphabet = "--\r\n\"=;:,./\\?&%+ abcXYZ019{}[]\x00\xff\xc3\xa9" "data:image/png;base64,";
  std::uniform_int_distribution<int> len(0, 300), pick(0, static_cast<int>(alphabet.size()) - 1), coin(0, 9);
  std::string s;
  const int n = len(rng);
  for (int i = 0; i < n; ++i) s.push_back(coin(rng) == 0 ? static_cast<char>(rng()) : alphabet[pick(rng)]);
  return s;
}

}  // namespace

TEST(AuthHostileInput, ParsersNeverThrow) {
  std::mt19937 rng(20261124);
  RedirectPolicy redirects("http://localhost:3001/");
  auto key = parley::test::generate_p521();
  const auto verifier = KioubitVerifier::from_pem(parley::test::public_pem(key.get()));
  JwtService jwt(JwtKey(std::string(32, 'k')), [](std::string_view) { return true; });
  for (int i = 0; i < 3000; ++i) {
    const std::string a = random_input(rng), b = random_input(rng);
    EXPECT_NO_THROW({
      parse_multipart(a, "--");
      parse_multipart("--b\r\n" + a, "b");
      parse_media_type(a);
      decode_data_url(a);
      decode_data_url("data:image/png;base64," + a);
      avatar_url_problem(a);
      parse_query(a);
      cookie_values(a, "session_id");
      redirects.resolve(a);
      url_origin(a);
      url_host(a);
      verifier.verify(a, b, 0, "x");
      jwt.verify(a, 0);
      jwt.verify(base64url_encode(a) + "." + base64url_encode(b) + ".x", 0);
      parse_bot_fields("multipart/form-data; boundary=" + b.substr(0, 10), a);
      parse_bot_fields("", a);
    }) << i;
  }
}

TEST(AuthHostileInput, DeepAndHugeJson) {
  parley::test::TempDir tmp;
  parley::storage::SqliteStorage storage(tmp.path());
  JwtService jwt(JwtKey(std::string(32, 'k')), [](std::string_view) { return true; });
  BotAccounts bots(storage, jwt);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = bots.handle(ManagementRequest{"POST", "/bots/add", "application/json", deep}, 0);
  EXPECT_EQ(r.status, 400u);
  r = bots.handle(ManagementRequest{"POST", "/bots/add", "application/json",
                                    R"({"username":"a","display_name":")" + std::string(1000000, 'x') + "\"}"},
                  0);
  EXPECT_EQ(r.status, 400u);
  EXPECT_TRUE(storage.list_bots().empty());
}
