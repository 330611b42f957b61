// The one HTTP answer value: the §3.1 error shape, JSON headers, header lookup and replacement.
#include <gtest/gtest.h>

#include "protocol/ascii.hpp"
#include "protocol/http_reply.hpp"

using namespace parley::protocol;

TEST(HttpReply, ErrorsHaveTheProtocolShapeAndAreNotCached) {
  const auto r = json_error(401, "invalid \"token\"");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body, R"({"err":"invalid \"token\""})");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.header("cache-control"), "no-store");
}

TEST(HttpReply, MethodNotAllowedNamesTheAllowedMethods) {
  const auto r = method_not_allowed("GET, HEAD");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.body, R"({"err":"method not allowed"})");
  EXPECT_EQ(r.header("Allow"), "GET, HEAD");
}

TEST(HttpReply, SetHeaderReplacesEveryValueCaseInsensitively) {
  auto r = json_reply("{}");
  r.headers.emplace_back("CACHE-CONTROL", "private");
  r.set_header("Cache-Control", "no-cache");
  int count = 0;
  for (const auto& [name, value] : r.headers)
    if (ascii_iequals(name, "cache-control")) ++count;
  EXPECT_EQ(count, 1);
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_FALSE(r.header("Location"));
}

TEST(HttpReply, RedirectsCarryTheLocation) {
  const auto r = redirect_reply("/chat");
  EXPECT_EQ(r.status, 307u);
  EXPECT_EQ(r.header("location"), "/chat");
  EXPECT_TRUE(r.body.empty());
}

TEST(Ascii, FoldsAndTrimsOnlyAscii) {
  EXPECT_TRUE(ascii_iequals("BeArEr", "bearer"));
  EXPECT_FALSE(ascii_iequals("bearer", "bearer "));
  EXPECT_FALSE(ascii_iequals("\xC3\x89", "\xC3\xA9"));  // É and é are different bytes, not folded
  EXPECT_EQ(ascii_lowercase("Hello-\xC3\x89"), "hello-\xC3\x89");
  EXPECT_EQ(trim_ascii_space(" \t x y \r\n"), "x y");
  EXPECT_EQ(trim_ascii_space(" \t "), "");
}
