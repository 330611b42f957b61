// JwtService and JwtKey with real keys, real files and tokens crafted byte by byte.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "accounts/base64.hpp"
#include "accounts/jwt_key.hpp"
#include "accounts/jwt_service.hpp"

namespace fs = std::filesystem;
using namespace parley::accounts;

namespace {

constexpr std::int64_t kNow = 1735689600;
const std::string kUser = "3f1c0d9e-1111-4abc-8def-0123456789ab";

std::string key_bytes(char fill = 'k') { return std::string(32, fill); }

JwtService make_service(std::string key = key_bytes(), std::set<std::string> accounts = {kUser}) {
  return JwtService(JwtKey(std::move(key)), [accounts](std::string_view id) { return accounts.count(std::string(id)) > 0; });
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Builds a token from literal JSON, signed with HMAC `md` (or unsigned when md is null).
std::string craft(std::string_view header, std::string_view claims, std::string_view key = key_bytes(),
                  const EVP_MD* md = EVP_sha256()) {
  std::string input = base64url_encode(header) + "." + base64url_encode(claims);
  std::string sig = md ? base64url_encode(hmac(md, key, input)) : "";
  return input + "." + sig;
}

std::string claims(std::int64_t iat, std::int64_t exp, std::string_view sub = kUser) {
  return boost::json::serialize(boost::json::object{{"sub", sub}, {"iat", iat}, {"exp", exp}});
}

constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("parley-jwt-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

TEST(JwtService, IssuedTokenVerifiesWithExpectedShape) {
  auto svc = make_service();
  const std::string token = svc.issue(kUser, kNow);
  const auto r = svc.verify(token, kNow + 10);
  ASSERT_TRUE(r) << to_string(r.error);
  EXPECT_EQ(r.subject, kUser);
  EXPECT_EQ(r.expires_at, kNow + 90LL * 24 * 3600);

  const auto header = base64url_decode(token.substr(0, token.find('.')));
  ASSERT_TRUE(header);
  const auto h = boost::json::parse(*header).as_object();
  EXPECT_EQ(h.at("alg").as_string(), "HS256");
  EXPECT_EQ(h.at("typ").as_string(), "JWT");
  const auto mid = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  const auto c = boost::json::parse(*base64url_decode(mid)).as_object();
  EXPECT_EQ(c.at("sub").as_string(), kUser);
  EXPECT_EQ(c.at("iat").as_int64(), kNow);
}

TEST(JwtService, LifetimeIsConfigurable) {
  JwtService svc(JwtKey(key_bytes()), [](std::string_view) { return true; }, std::chrono::seconds(3600));
  const auto token = svc.issue(kUser, kNow);
  EXPECT_TRUE(svc.verify(token, kNow + 3600 + 59));
  EXPECT_EQ(svc.verify(token, kNow + 3600 + 60).error, JwtService::Error::expired);
}

TEST(JwtService, CraftedValidTokenAccepted) {
  auto svc = make_service();
  EXPECT_TRUE(svc.verify(craft(kHs256, claims(kNow, kNow + 100)), kNow));
  // typ is optional; exp may be fractional.
  EXPECT_TRUE(svc.verify(craft(R"({"alg":"HS256"})", R"({"sub":")" + kUser + R"(","exp":1735689700.5})"), kNow));
}

TEST(JwtService, WrongAlgorithmsRejected) {
  auto svc = make_service();
  const auto c = claims(kNow, kNow + 100);
  EXPECT_EQ(svc.verify(craft(R"({"alg":"none","typ":"JWT"})", c, key_bytes(), nullptr), kNow).error,
            JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"alg":"none"})", c, key_bytes(), nullptr) + "x", kNow).error,
            JwtService::Error::bad_algorithm);
  // Correctly signed with the same key, but with another HMAC: still refused.
  EXPECT_EQ(svc.verify(craft(R"({"alg":"HS384","typ":"JWT"})", c, key_bytes(), EVP_sha384()), kNow).error,
            JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"alg":"HS512"})", c, key_bytes(), EVP_sha512()), kNow).error,
            JwtService::Error::bad_algorithm);
  // Key confusion: an RS256 header over an HMAC signature.
  EXPECT_EQ(svc.verify(craft(R"({"alg":"RS256"})", c), kNow).error, JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"alg":"hs256"})", c), kNow).error, JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"alg":["HS256"]})", c), kNow).error, JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"typ":"JWT"})", c), kNow).error, JwtService::Error::bad_algorithm);
  EXPECT_EQ(svc.verify(craft(R"({"alg":"HS256","crit":["exp"]})", c), kNow).error,
            JwtService::Error::bad_algorithm);
}

TEST(JwtService, BadSignatureRejected) {
  auto svc = make_service();
  const auto c = claims(kNow, kNow + 100);
  EXPECT_EQ(svc.verify(craft(kHs256, c, key_bytes('x')), kNow).error, JwtService::Error::bad_signature);
  std::string token = craft(kHs256, c);
  // Flip one signature character.
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(svc.verify(token, kNow).error, JwtService::Error::bad_signature);
  // Empty signature with the right algorithm.
  EXPECT_EQ(svc.verify(craft(kHs256, c, key_bytes(), nullptr), kNow).error, JwtService::Error::bad_signature);
  // Payload changed after signing (privilege escalation attempt).
  const std::string good = craft(kHs256, c);
  const std::string forged_claims = base64url_encode(claims(kNow, kNow + 100000000));
  const auto d1 = good.find('.'), d2 = good.rfind('.');
  EXPECT_EQ(svc.verify(good.substr(0, d1 + 1) + forged_claims + good.substr(d2), kNow).error,
            JwtService::Error::bad_signature);
}

TEST(JwtService, ExpiryRules) {
  auto svc = make_service();
  EXPECT_TRUE(svc.verify(craft(kHs256, claims(kNow - 200, kNow - 59)), kNow));  // within leeway
  EXPECT_EQ(svc.verify(craft(kHs256, claims(kNow - 200, kNow - 60)), kNow).error, JwtService::Error::expired);
  EXPECT_EQ(svc.verify(craft(kHs256, claims(kNow - 200, kNow - 100000)), kNow).error, JwtService::Error::expired);
  // exp required and numeric.
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"("})"), kNow).error, JwtService::Error::expired);
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":"9999999999"})"), kNow).error,
            JwtService::Error::expired);
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":true})"), kNow).error,
            JwtService::Error::expired);
  // Extreme values neither overflow nor crash.
  EXPECT_TRUE(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":9223372036854775807})"), kNow));
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":18446744073709551615})"), kNow).error,
            JwtService::Error::malformed);  // beyond int64: libjwt cannot parse it
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":1e300})"), kNow).error,
            JwtService::Error::expired);
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":")" + kUser + R"(","exp":-9223372036854775808})"), kNow).error,
            JwtService::Error::expired);
}

TEST(JwtService, NbfAndIatRules) {
  auto svc = make_service();
  const std::string base = R"({"sub":")" + kUser + R"(","exp":)" + std::to_string(kNow + 1000);
  EXPECT_TRUE(svc.verify(craft(kHs256, base + ",\"nbf\":" + std::to_string(kNow) + "}"), kNow));
  EXPECT_EQ(svc.verify(craft(kHs256, base + ",\"nbf\":" + std::to_string(kNow + 1) + "}"), kNow).error,
            JwtService::Error::not_yet_valid);
  EXPECT_EQ(svc.verify(craft(kHs256, base + ",\"nbf\":\"0\"}"), kNow).error, JwtService::Error::not_yet_valid);
  EXPECT_TRUE(svc.verify(craft(kHs256, base + ",\"iat\":" + std::to_string(kNow + 60) + "}"), kNow));
  EXPECT_EQ(svc.verify(craft(kHs256, base + ",\"iat\":" + std::to_string(kNow + 61) + "}"), kNow).error,
            JwtService::Error::issued_in_future);
}

TEST(JwtService, SubjectMustNameAnExistingAccount) {
  auto svc = make_service();
  EXPECT_EQ(svc.verify(craft(kHs256, claims(kNow, kNow + 100, "someone-else")), kNow).error,
            JwtService::Error::unknown_account);
  EXPECT_EQ(svc.verify(craft(kHs256, claims(kNow, kNow + 100, "")), kNow).error, JwtService::Error::bad_subject);
  EXPECT_EQ(svc.verify(craft(kHs256, R"({"sub":42,"exp":)" + std::to_string(kNow + 100) + "}"), kNow).error,
            JwtService::Error::bad_subject);

  // Deleting the account revokes its tokens.
  std::set<std::string> accounts{kUser};
  JwtService live(JwtKey(key_bytes()), [&accounts](std::string_view id) { return accounts.count(std::string(id)) > 0; });
  const auto token = live.issue(kUser, kNow);
  EXPECT_TRUE(live.verify(token, kNow));
  accounts.clear();
  EXPECT_EQ(live.verify(token, kNow).error, JwtService::Error::unknown_account);
}

TEST(JwtService, MalformedInputNeverCrashes) {
  auto svc = make_service();
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a.b.c"),
                          std::string("a.b"), std::string("a.b.c.d"), std::string("!!!.###.$$$"),
                          base64url_encode("[1,2]") + "." + base64url_encode("{}") + ".",
                          base64url_encode("{\"alg\":\"HS256\"}") + "." + base64url_encode("not json") + ".sig",
                          std::string(5000, 'a'), std::string("\0.\0.\0", 5)}) {
    EXPECT_FALSE(svc.verify(bad, kNow)) << bad.substr(0, 40);
  }
  EXPECT_EQ(svc.verify(std::string(5000, 'a'), kNow).error, JwtService::Error::malformed);
}

TEST(JwtService, ReplacingTheKeyRevokesEveryToken) {
  auto svc = make_service();
  const auto token = svc.issue(kUser, kNow);
  svc.replace_key(JwtKey(key_bytes('z')));
  EXPECT_EQ(svc.verify(token, kNow).error, JwtService::Error::bad_signature);
  EXPECT_TRUE(svc.verify(svc.issue(kUser, kNow), kNow));
}

TEST(JwtKey, RejectsShortKeys) {
  EXPECT_THROW(JwtKey(std::string(31, 'a')), std::invalid_argument);
  EXPECT_NO_THROW(JwtKey(std::string(32, 'a')));
}

TEST(JwtKey, CreatedOnceWithMode0600EvenUnderPermissiveUmask) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  const mode_t old = ::umask(0000);
  const JwtKey first = JwtKey::load_or_create({}, data);
  ::umask(old);
  const fs::path file = data / JwtKey::kDefaultFileName;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(first.bytes().size(), JwtKey::kGeneratedBytes);
  // Kept across restarts: tokens survive.
  const JwtKey second = JwtKey::load_or_create({}, data);
  EXPECT_EQ(first.bytes(), second.bytes());
  JwtService a(first, [](std::string_view) { return true; });
  JwtService b(second, [](std::string_view) { return true; });
  EXPECT_TRUE(b.verify(a.issue(kUser, kNow), kNow));
}

TEST(JwtKey, ServersStartingTogetherOnAFreshDataDirAgreeOnOneKey) {
  // Parallel test servers (or a restart racing an old process) share one fresh data directory:
  // exactly one key is created, the other starter loads it instead of failing.
  for (int round = 0; round < 100; ++round) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    std::string a, b;
    std::string error;
    std::thread t([&] {
      try {
        a = std::string(JwtKey::load_or_create({}, data).bytes());
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
    try {
      b = std::string(JwtKey::load_or_create({}, data).bytes());
    } catch (const std::exception& e) {
      error = e.what();
    }
    t.join();
    ASSERT_EQ(error, "");
    ASSERT_EQ(a, b);
    EXPECT_EQ(JwtKey::load(data / JwtKey::kDefaultFileName).bytes(), a);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(data)) ++files;
    EXPECT_EQ(files, 1u) << "no temporary file is left behind";
  }
}

TEST(JwtKey, ExplicitFileUsedAsIsAndMustBeLongEnough) {
  TempDir tmp;
  const fs::path file = tmp.path() / "secret";
  std::ofstream(file) << std::string(40, 's');
  EXPECT_EQ(JwtKey::load_or_create(file, tmp.path() / "data").bytes(), std::string(40, 's'));
  EXPECT_FALSE(fs::exists(tmp.path() / "data" / JwtKey::kDefaultFileName));
  std::ofstream(file, std::ios::trunc) << "short";
  EXPECT_THROW(JwtKey::load_or_create(file, tmp.path()), std::runtime_error);
  EXPECT_THROW(JwtKey::load(tmp.path() / "missing"), std::runtime_error);
  EXPECT_THROW(JwtKey::load(tmp.path()), std::runtime_error);  // a directory
}

TEST(JwtKey, RotateReplacesTheFile) {
  TempDir tmp;
  const JwtKey first = JwtKey::load_or_create({}, tmp.path());
  const fs::path file = tmp.path() / JwtKey::kDefaultFileName;
  const JwtKey rotated = JwtKey::rotate(file);
  EXPECT_NE(first.bytes(), rotated.bytes());
  EXPECT_EQ(JwtKey::load(file).bytes(), rotated.bytes());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++entries;
  EXPECT_EQ(entries, 1u);  // no temp file left behind
}
