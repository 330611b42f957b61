// UTS #39 skeletons for reserved names (issue 12, F5): look-alikes of a username are reserved.
#include <gtest/gtest.h>

#include "signalling/confusables.hpp"

using namespace parley::signalling;

namespace {
bool alike(std::string_view a, std::string_view b) { return look_alike(name_skeletons(a), name_skeletons(b)); }
}  // namespace

TEST(Confusables, OtherScriptsFullWidthAndCaseLookAlike) {
  EXPECT_TRUE(alike("echo_bot", "echo_bot"));
  EXPECT_TRUE(alike("\u0435cho_bot", "echo_bot"));                          // Cyrillic е
  EXPECT_TRUE(alike("\uFF45\uFF43\uFF48\uFF4F_bot", "echo_bot"));            // full-width ｅｃｈｏ
  EXPECT_TRUE(alike("ECHO_BOT", "echo_bot"));
  EXPECT_TRUE(alike("\u0415\u0421\u041DO_BOT", "echo_bot"));                 // Cyrillic ЕСН
  EXPECT_TRUE(alike("a1ice", "alice"));
  EXPECT_TRUE(alike("aIice", "alice"));                                      // capital I for l
  EXPECT_TRUE(alike("ALICE", "Alice"));
  EXPECT_TRUE(alike("lvan", "Ivan"));
}

TEST(Confusables, InvisibleCharactersAreIgnored) {
  EXPECT_TRUE(alike("ec\u200Bho_bot", "echo_bot"));
  EXPECT_TRUE(alike("\uFEFFecho_bot", "echo_bot"));
  EXPECT_TRUE(alike("echo\u00AD_bot", "echo_bot"));
  EXPECT_TRUE(alike("ec\u200Dho\uFE0F_bot", "echo_bot"));
}

TEST(Confusables, DifferentNamesStayDifferent) {
  EXPECT_FALSE(alike("echo-bot", "echo_bot"));
  EXPECT_FALSE(alike("echo_bot2", "echo_bot"));
  EXPECT_FALSE(alike("bob", "alice"));
  EXPECT_FALSE(alike("\u00C1lice", "alice"));  // Á is not A
  EXPECT_FALSE(alike("", "alice"));
  EXPECT_TRUE(alike("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"));  // malformed bytes count as U+FFFD
}
