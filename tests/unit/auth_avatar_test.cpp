// Data URLs, the MIME allow-list, avatar headers, AvatarFetcher (scripted upstream) and base64.
#include <gtest/gtest.h>

#include "auth_test_support.hpp"
#include "accounts/avatar.hpp"
#include "accounts/avatar_fetcher.hpp"
#include "accounts/base64.hpp"

using namespace parley::accounts;
using parley::test::ScriptedHttp;

namespace {
const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, '\x01');
}

TEST(AuthBase64, RoundTripsAndRejectsGarbage) {
  for (std::string s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"), std::string("\xff\x00\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64_decode("Zm9vYg="));    // bad length
  EXPECT_FALSE(base64_decode("Zm9v Yg=="));  // space
  EXPECT_FALSE(base64_decode("Zm9vYh=="));   // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zm=vYg=="));   // padding inside
  EXPECT_FALSE(base64_decode("Zm9vYg-_"));   // url alphabet in standard
  EXPECT_FALSE(base64url_decode("Zm9vYg=="));
  EXPECT_FALSE(base64url_decode("A"));
  EXPECT_EQ(base64_decode("Zm9v\r\nYg==", {.skip_line_breaks = true}), "foob");
  EXPECT_FALSE(base64_decode("Zm9v\r\nYg=="));
  EXPECT_EQ(base64_decode("Zm9vYg", {.require_padding = false}), "foob");
}

TEST(AuthAvatar, DecodesDataUrls) {
  const std::string b64 = base64_encode(kPng);
  auto d = decode_data_url("data:image/png;base64," + b64);
  ASSERT_EQ(d.error, DataUrl::Error::none);
  EXPECT_EQ(d.mime, "image/png");
  EXPECT_EQ(d.bytes, kPng);
  // Wrapped at 76 columns by `base64`, with a trailing newline and surrounding spaces.
  std::string wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  d = decode_data_url("  data:IMAGE/PNG;base64," + wrapped + "\n");
  ASSERT_EQ(d.error, DataUrl::Error::none);
  EXPECT_EQ(d.bytes, kPng);
  EXPECT_EQ(d.mime, "image/png");
  EXPECT_EQ(decode_data_url("data:image/webp;foo=bar;base64," + b64).error, DataUrl::Error::none);
}

TEST(AuthAvatar, RejectsBadDataUrls) {
  const std::string b64 = base64_encode(kPng);
  EXPECT_EQ(decode_data_url("data:image/svg+xml;base64," + b64).error, DataUrl::Error::unsupported_mime);
  EXPECT_EQ(decode_data_url("data:text/html;base64," + b64).error, DataUrl::Error::unsupported_mime);
  EXPECT_EQ(decode_data_url("data:image/png," + b64).error, DataUrl::Error::not_base64);
  EXPECT_EQ(decode_data_url("data:image/png;base64,@@@@").error, DataUrl::Error::not_base64);
  EXPECT_EQ(decode_data_url("data:image/png;base64,ab cd").error, DataUrl::Error::not_base64);
  EXPECT_EQ(decode_data_url("data:image/png;base64").error, DataUrl::Error::not_data_url);
  EXPECT_EQ(decode_data_url("https://x/y.png").error, DataUrl::Error::not_data_url);

  auto r = data_url_avatar_reply("data:image/svg+xml;base64," + b64);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"err":"unsupported MIME type"})");
  r = data_url_avatar_reply("data:image/png;base64,!!");
  EXPECT_EQ(r.body, R"({"err":"not base64 encoded"})");
}

TEST(AuthAvatar, RepliesCarrySafetyHeaders) {
  const auto r = data_url_avatar_reply("data:image/gif;base64," + base64_encode("GIF89a"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "image/gif");
  EXPECT_EQ(r.body, "GIF89a");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Content-Security-Policy"), "default-src 'none'; sandbox");
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=300");
  EXPECT_FALSE(r.header("Content-Disposition"));
  const auto svg = avatar_headers("image/svg+xml");
  EXPECT_NE(std::find(svg.begin(), svg.end(), Header{"Content-Disposition", "attachment; filename=\"avatar.svg\""}),
            svg.end());
}

TEST(AuthAvatar, StoredAvatarValidation) {
  EXPECT_FALSE(avatar_url_problem(""));
  EXPECT_FALSE(avatar_url_problem("https://avatars.example/u/1?s=64"));
  EXPECT_FALSE(avatar_url_problem(" data:image/jpeg;base64," + base64_encode("jpeg") + "\n"));
  EXPECT_TRUE(avatar_url_problem("http://avatars.example/u/1"));
  EXPECT_TRUE(avatar_url_problem("javascript:alert(1)"));
  EXPECT_TRUE(avatar_url_problem("https://"));
  EXPECT_TRUE(avatar_url_problem("https://a.example/x y"));
  EXPECT_TRUE(avatar_url_problem("https://a.example/\"><script>"));
  EXPECT_EQ(avatar_url_problem("data:image/svg+xml;base64,PHN2Zz4="), "unsupported MIME type (allowed: PNG, JPEG, WebP, GIF)");
  EXPECT_EQ(avatar_url_problem("data:image/png;base64,***"), "not base64 encoded");
  EXPECT_EQ(avatar_url_problem("data:image/png;base64," + base64_encode(std::string(kMaxAvatarBytes, 'x'))),
            "larger than 1 MiB");
}

TEST(AuthAvatarFetcher, RelaysAllowedImagesAndCachesThem) {
  ScriptedHttp http;
  AvatarFetcher f(http);
  http.reply(200, kPng, "image/png; charset=binary");
  const auto r = f.fetch("https://avatars.example/u/1", 1000);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(r.body, kPng);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_TRUE(http.requests[0].https_only);
  EXPECT_EQ(http.requests[0].max_redirects, 3);
  EXPECT_EQ(http.requests[0].max_body_bytes, kMaxAvatarBytes);
  EXPECT_EQ(http.requests[0].connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(http.requests[0].total_timeout, std::chrono::seconds(10));
  // Cached for 10 minutes.
  EXPECT_TRUE(f.cached("https://avatars.example/u/1", 1599));
  EXPECT_EQ(f.fetch("https://avatars.example/u/1", 1500).body, kPng);
  EXPECT_EQ(http.requests.size(), 1u);
  EXPECT_FALSE(f.cached("https://avatars.example/u/1", 1600));
}

TEST(AuthAvatarFetcher, UpstreamProblemsAre502) {
  ScriptedHttp http;
  AvatarFetcher f(http);
  const std::string url = "https://avatars.example/a";
  http.reply(200, "<svg/>", "image/svg+xml");
  EXPECT_EQ(f.fetch(url, 0).status, 502u);
  http.reply(200, "<html>", "text/html");
  EXPECT_EQ(f.fetch(url, 0).status, 502u);
  http.reply(404, "", "image/png");
  EXPECT_EQ(f.fetch(url, 0).status, 502u);
  http.fail("Operation timed out");
  const auto r = f.fetch(url, 0);
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(r.body, R"({"err":"Upstream returned error"})");
  EXPECT_EQ(f.fetch("http://avatars.example/a", 0).status, 502u);  // not https: no request at all
  EXPECT_EQ(f.fetch("file:///etc/passwd", 0).status, 502u);
  EXPECT_EQ(http.requests.size(), 4u);
  EXPECT_EQ(f.cached_entries(), 0u);
}

TEST(AuthAvatarFetcher, CacheIsBounded) {
  ScriptedHttp http;
  AvatarFetchConfig c;
  c.cache_entries = 2;
  c.cache_bytes = 250;
  AvatarFetcher f(http, c);
  for (int i = 0; i < 3; ++i) {
    http.reply(200, std::string(100, 'x'), "image/png");
    f.fetch("https://a.example/" + std::to_string(i), 0);
  }
  EXPECT_EQ(f.cached_entries(), 2u);
  EXPECT_FALSE(f.cached("https://a.example/0", 1));
  EXPECT_TRUE(f.cached("https://a.example/2", 1));
  http.reply(200, std::string(200, 'y'), "image/png");
  f.fetch("https://a.example/big", 0);
  EXPECT_EQ(f.cached_entries(), 1u);  // byte bound
}
