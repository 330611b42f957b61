// Safety numbers against the vectors shared with the web client, plus the edges the vectors do
// not spell out (shape of the number, leading zeros, white space in the attribute).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "fixture_loader.hpp"
#include "protocol/safety_number.hpp"

using namespace parley::protocol;

TEST(SafetyNumberFixtures, FingerprintsOfDescriptions) {
  const auto fixtures = parley::test::load_fixture("peer/safety_numbers.json").as_object().at("fingerprints").as_array();
  ASSERT_FALSE(fixtures.empty());
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    const auto got = sdp_fingerprint(obj.at("sdp").as_string());
    if (obj.at("fingerprint").is_null()) {
      EXPECT_EQ(got, std::nullopt);
    } else {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(*got, obj.at("fingerprint").as_string());
    }
  }
}

TEST(SafetyNumberFixtures, Codes) {
  const auto fixtures = parley::test::load_fixture("peer/safety_numbers.json").as_object().at("codes").as_array();
  ASSERT_FALSE(fixtures.empty());
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    EXPECT_EQ(safety_number(obj.at("a").as_string(), obj.at("b").as_string()), obj.at("code").as_string());
  }
}

TEST(SafetyNumber, TwelveGroupsOfFiveDigitsWithLeadingZerosKept) {
  const std::regex shape("^\\d{5}( \\d{5}){11}$");
  bool saw_leading_zero = false;
  for (int i = 0; i < 200; ++i) {
    const auto code = safety_number("sha-256 " + std::to_string(i), "sha-256 X");
    ASSERT_TRUE(std::regex_match(code, shape)) << code;
    saw_leading_zero = saw_leading_zero || code[0] == '0';
  }
  EXPECT_TRUE(saw_leading_zero) << "one in ten numbers starts with 0; none of 200 did";
}

TEST(SafetyNumber, SameFingerprintTwiceIsStillANumber) {
  EXPECT_EQ(safety_number("sha-256 AA:BB", "sha-256 AA:BB").size(), 71u);
}

TEST(SdpFingerprint, WhiteSpaceAndShape) {
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256\t\tAA:bb  \r\n"), "sha-256 AA:BB");
  EXPECT_EQ(sdp_fingerprint("a=fingerprint: sha-256 AA:BB\r\n"), std::nullopt);  // space before the algorithm
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256 AA\r\n"), std::nullopt);       // one byte pair
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256 AA:B\r\n"), std::nullopt);
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256 AA:BB:\r\n"), std::nullopt);
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256 AA:BB x\r\n"), std::nullopt);
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-256\r\n"), std::nullopt);
  // A malformed sha-256 line does not hide a later good one, nor is a sha-1 taken before it.
  EXPECT_EQ(sdp_fingerprint("a=fingerprint:sha-1 01:02\na=fingerprint:sha-256 ZZ:00\na=fingerprint:sha-256 0A:0B"),
            "sha-256 0A:0B");
}
