// NonceTable (single use, binding, expiry, bound) and RedirectPolicy (same-origin only).
#include <gtest/gtest.h>

#include <set>

#include "accounts/logins/nonce_table.hpp"
#include "accounts/logins/redirect_policy.hpp"

using namespace parley::accounts;

TEST(AuthNonce, IssuedNoncesAreLongAndDistinct) {
  NonceTable t;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto n = t.issue("github", "s", "/", 0);
    EXPECT_GE(n.size(), 22u);  // >= 128 bits in base64url
    EXPECT_EQ(n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
    seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(AuthNonce, SingleUseEvenWhenTheFirstUseFails) {
  NonceTable t;
  const auto n = t.issue("github", "session-a", "http://x/after", 100);
  const auto wrong = t.consume("github", n, "session-b", 101);
  EXPECT_EQ(wrong.failure, NonceTable::Failure::other_session);
  EXPECT_EQ(t.consume("github", n, "session-a", 102).failure, NonceTable::Failure::unknown);

  const auto m = t.issue("github", "session-a", "http://x/after", 100);
  const auto ok = t.consume("github", m, "session-a", 101);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.redirect_target, "http://x/after");
  EXPECT_EQ(t.consume("github", m, "session-a", 101).failure, NonceTable::Failure::unknown);  // replay
  EXPECT_EQ(t.size(), 0u);
}

TEST(AuthNonce, BoundToProvider) {
  NonceTable t;
  const auto n = t.issue("github", "s", "/", 0);
  EXPECT_EQ(t.consume("kioubit", n, "s", 1).failure, NonceTable::Failure::unknown);
  EXPECT_EQ(t.consume("github", n, "s", 1).failure, NonceTable::Failure::unknown);  // used up
}

TEST(AuthNonce, ExpiresAfterFiveMinutes) {
  NonceTable t;
  const auto a = t.issue("github", "s", "/", 1000);
  const auto b = t.issue("github", "s", "/", 1000);
  EXPECT_TRUE(t.consume("github", a, "s", 1299));
  EXPECT_EQ(t.consume("github", b, "s", 1300).failure, NonceTable::Failure::expired);
}

TEST(AuthNonce, BoundedOldestEvictedAndExpiredSweptLazily) {
  NonceTable t(3, 300);
  std::vector<std::string> n;
  for (int i = 0; i < 5; ++i) n.push_back(t.issue("github", "s", "/", 10 + i));
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.consume("github", n[0], "s", 20).failure, NonceTable::Failure::unknown);
  EXPECT_EQ(t.consume("github", n[1], "s", 20).failure, NonceTable::Failure::unknown);
  EXPECT_TRUE(t.consume("github", n[4], "s", 20));
  // Issuing later drops the expired ones without timers.
  t.issue("github", "s", "/", 10000);
  EXPECT_EQ(t.size(), 1u);
}

TEST(AuthNonce, HostileLookupsAreJustUnknown) {
  NonceTable t;
  EXPECT_EQ(t.consume("github", "", "", 0).failure, NonceTable::Failure::unknown);
  EXPECT_EQ(t.consume("github", std::string(100000, 'x'), "s", 0).failure, NonceTable::Failure::unknown);
}

TEST(AuthRedirect, PathsResolveAgainstTheSuccessOrigin) {
  RedirectPolicy p("https://chat.example.com/app/");
  EXPECT_EQ(p.origin(), "https://chat.example.com");
  EXPECT_EQ(p.resolve("/rooms?x=1#top"), "https://chat.example.com/rooms?x=1#top");
  EXPECT_EQ(p.resolve("/"), "https://chat.example.com/");
  EXPECT_EQ(p.resolve(""), "https://chat.example.com/app/");
}

TEST(AuthRedirect, AbsoluteUrlsOnlyWithExactlyOurOrigin) {
  RedirectPolicy p("http://localhost:3001/");
  EXPECT_EQ(p.resolve("http://localhost:3001/x"), "http://localhost:3001/x");
  EXPECT_EQ(p.resolve("HTTP://LOCALHOST:3001"), "http://localhost:3001/");
  EXPECT_EQ(p.resolve("http://localhost:3001?q"), "http://localhost:3001?q");
  EXPECT_EQ(p.resolve("http://localhost:3002/x"), "http://localhost:3001/");
  EXPECT_EQ(p.resolve("https://localhost:3001/x"), "http://localhost:3001/");
  EXPECT_EQ(p.resolve("http://localhost:3001@evil.com/"), "http://localhost:3001/");
  EXPECT_EQ(p.resolve("http://localhost:3001.evil.com/"), "http://localhost:3001/");
  RedirectPolicy https("https://chat.example.com/");
  EXPECT_EQ(https.resolve("https://chat.example.com:443/a"), "https://chat.example.com/a");
}

TEST(AuthRedirect, HostileTargetsFallBack) {
  RedirectPolicy p("http://localhost:3001/");
  for (const char* bad : {"//evil.com/", "/\\evil.com", "\\\\evil.com", "javascript:alert(1)", "evil.com",
                          "https://evil.com/", "/x\r\nSet-Cookie: a=b", "/a b", "/caf\xc3\xa9", "data:text/html,x",
                          "ftp://localhost:3001/", "///evil.com"}) {
    EXPECT_EQ(p.resolve(bad), "http://localhost:3001/") << bad;
  }
  EXPECT_EQ(p.resolve(std::string(5000, '/')), "http://localhost:3001/");
}

TEST(AuthRedirect, SuccessUrlMustBeAbsoluteHttp) {
  EXPECT_THROW(RedirectPolicy("/relative"), std::invalid_argument);
  EXPECT_THROW(RedirectPolicy("javascript:x"), std::invalid_argument);
  EXPECT_NO_THROW(RedirectPolicy("https://a.example/"));
  EXPECT_EQ(url_origin("https://User@host/"), "");
  EXPECT_EQ(url_origin("http://host:80/"), "http://host");
  EXPECT_EQ(url_origin("http://host:abc/"), "");
}
