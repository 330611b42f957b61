#include <gtest/gtest.h>

#include "transport/http_session.hpp"

using parley::transport::https_location;

TEST(HttpsLocation, SameNameTheHttpsPortAndTheTarget) {
  EXPECT_EQ(https_location("Parley.LAN:80", 443, "/chat?x=1"), "https://parley.lan/chat?x=1");
  EXPECT_EQ(https_location("parley.lan:8080", 3001, "/"), "https://parley.lan:3001/");
  EXPECT_EQ(https_location("[::1]:80", 8443, "/a"), "https://[::1]:8443/a");
  EXPECT_EQ(https_location("192.168.1.10", 443, "*"), "https://192.168.1.10/");
}

TEST(HttpsLocation, NoUsableNameNoRedirect) {
  EXPECT_EQ(https_location("", 443, "/"), "");
  EXPECT_EQ(https_location("evil.example/x", 443, "/"), "");
  EXPECT_EQ(https_location("user@evil.example", 443, "/"), "");
  EXPECT_EQ(https_location("a b", 443, "/"), "");
}
