#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "signalling/confusables.hpp"
#include "signalling/name_policy.hpp"
#include "signalling/unicode.hpp"

using namespace parley::signalling;

TEST(NamePolicy, TrimsUnicodeWhiteSpace) {
  EXPECT_EQ(trim_unicode_space("  bob\t"), "bob");
  EXPECT_EQ(trim_unicode_space("\u3000\u00a0bob b\u2003"), "bob b");
  EXPECT_EQ(trim_unicode_space(" \u2028 "), "");
  EXPECT_EQ(trim_unicode_space("é"), "é");
}

TEST(NamePolicy, AcceptsOrdinaryNames) {
  EXPECT_TRUE(is_valid_node_name("alice"));
  EXPECT_TRUE(is_valid_node_name("Zoë 🎉"));
  EXPECT_TRUE(is_valid_node_name(std::string(64, 'x')));
}

TEST(NamePolicy, RejectsEmptyLongAndControlCharacters) {
  EXPECT_FALSE(is_valid_node_name(""));
  EXPECT_FALSE(is_valid_node_name(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_node_name("a\nb"));
  EXPECT_FALSE(is_valid_node_name("a\x7f"));
  EXPECT_FALSE(is_valid_node_name("a\u0085"));
  EXPECT_FALSE(is_valid_node_name("evil\u202Egnp.exe"));
  EXPECT_FALSE(is_valid_node_name("a\u2066b"));
  EXPECT_FALSE(is_valid_node_name("a\u200Fb"));
}

// Issue 12, F5: a name with characters that render as nothing could pose as another.
TEST(NamePolicy, RejectsInvisibleCharacters) {
  for (const std::string bad : {"ec\u200Bho", "\uFEFFecho", "ech\u00ADo", "e\u2060cho", "echo\u3164", "\u115F",
                                "e\u034Fcho", "e\uFFF9cho", "e\U000E0001cho", "e\u180Echo", "e\u061Ccho"})
    EXPECT_FALSE(is_valid_node_name(bad)) << bad;
}

TEST(NamePolicy, KeepsJoinersAndSelectorsThatTextNeeds) {
  EXPECT_TRUE(is_valid_node_name("\U0001F469\u200D\U0001F4BB dev"));   // 👩‍💻: ZWJ sequence
  EXPECT_TRUE(is_valid_node_name("Anna \u2764\uFE0F"));                 // ❤️: variation selector
  EXPECT_TRUE(is_valid_node_name("1\uFE0F\u20E3"));                     // 1️⃣ keycap
  EXPECT_TRUE(is_valid_node_name("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"));  // Persian ZWNJ
  EXPECT_TRUE(is_valid_node_name("\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"));  // flag tags
}

TEST(NamePolicy, SixtyFourCodePointsNotBytes) {
  std::string name;
  for (int i = 0; i < 64; ++i) name += "é";
  EXPECT_TRUE(is_valid_node_name(name));
  EXPECT_FALSE(is_valid_node_name(name + "é"));
}

TEST(NamePolicy, DefaultNamesArePaddedToFourDigits) {
  EXPECT_EQ(default_node_name(0), "user0000");
  EXPECT_EQ(default_node_name(42), "user0042");
  EXPECT_EQ(default_node_name(12345), "user12345");
}

namespace {
struct SetReserved final : ReservedNames {
  std::set<std::string> names;  // lowercase account usernames
  bool reserved_for_other(std::string_view name, std::string_view own) const override {
    std::string lower(name);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string own_lower(own);
    for (auto& ch : own_lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return names.count(lower) > 0 && lower != own_lower;
  }
};
}  // namespace

TEST(NamePolicy, ReservedNamesGetTheFirstFreeVariant) {
  SetReserved reserved;
  reserved.names = {"alice", "alice-2"};
  EXPECT_EQ(avoid_reserved("Alice", "", reserved), "Alice-3");
  EXPECT_EQ(avoid_reserved("alice", "alice", reserved), "alice");  // one's own username
  EXPECT_EQ(avoid_reserved("bob", "", reserved), "bob");
}

namespace {
// Reserved the way the accounts store reserves: by look-alike skeleton.
struct LookAlikeReserved final : ReservedNames {
  std::vector<std::string> usernames;
  bool reserved_for_other(std::string_view name, std::string_view own) const override {
    for (const auto& u : usernames)
      if (u != own && look_alike(name_skeletons(name), name_skeletons(u))) return true;
    return false;
  }
};
}  // namespace

TEST(NamePolicy, LookAlikesOfReservedNamesGetAVariant) {
  LookAlikeReserved reserved;
  reserved.usernames = {"echo_bot", "us\u0435r0000"};  // the second with a Cyrillic е
  EXPECT_EQ(avoid_reserved("\u0435cho_bot", "", reserved), "\u0435cho_bot-2");
  EXPECT_EQ(avoid_reserved("\uFF45\uFF43\uFF48\uFF4F_bot", "", reserved), "\uFF45\uFF43\uFF48\uFF4F_bot-2");
  EXPECT_EQ(avoid_reserved("\u0435cho_bot", "echo_bot", reserved), "\u0435cho_bot");  // the bot itself may
  // Default names go through the same rule.
  EXPECT_EQ(avoid_reserved(default_node_name(0), "", reserved), "user0000-2");
}

TEST(NamePolicy, ReservedVariantStaysWithinSixtyFourCodePoints) {
  SetReserved reserved;
  const std::string long_name(64, 'a');
  reserved.names = {long_name};
  const auto variant = avoid_reserved(long_name, "", reserved);
  EXPECT_EQ(utf8_length(variant), 64u);
  EXPECT_EQ(variant.substr(62), "-2");
}

TEST(Unicode, StrictDecoderRejectsWhatTheLenientOneReplaces) {
  // Overlong '/', a UTF-16 surrogate, a truncated sequence, a value above U+10FFFF.
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\xF4\x90\x80\x80"}) {
    EXPECT_FALSE(utf8_length_strict(bad)) << bad;
    EXPECT_FALSE(is_valid_node_name("ok" + bad)) << bad;  // decodes to U+FFFD, which names refuse
  }
  EXPECT_EQ(utf8_length_strict("h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), 4u);  // hé€😀
  EXPECT_EQ(utf8_decode("a\xC0\xAF").size(), 3u);                               // one U+FFFD per bad byte
  EXPECT_TRUE(is_control_or_bidi(U'\u202E'));
  EXPECT_FALSE(is_control_or_bidi(U'\u00E9'));
}
