// AbusePenalties: the wait after an abuse close doubles up to the cap, is forgotten after a quiet
// spell, applies per address only, never to an empty address, and the table stays bounded.
#include <gtest/gtest.h>

#include "signalling/abuse_penalties.hpp"

using parley::signalling::AbusePenalties;
using parley::signalling::PenaltyLimits;

TEST(AbusePenalties, WaitDoublesUpToTheCapPerAddress) {
  AbusePenalties p(PenaltyLimits{.first_ms = 1000, .max_ms = 5000, .forget_ms = 60000, .max_addresses = 100});
  EXPECT_EQ(p.wait_ms("a", 0), 0);
  p.punish("a", 0);
  EXPECT_EQ(p.wait_ms("a", 0), 1000);
  EXPECT_EQ(p.wait_ms("a", 600), 400);
  EXPECT_EQ(p.wait_ms("b", 0), 0);
  p.punish("a", 1000);
  EXPECT_EQ(p.wait_ms("a", 1000), 2000);
  p.punish("a", 3000);
  EXPECT_EQ(p.wait_ms("a", 3000), 4000);
  p.punish("a", 7000);
  EXPECT_EQ(p.wait_ms("a", 7000), 5000);  // capped
  EXPECT_EQ(p.wait_ms("a", 12000), 0);
  p.punish("a", 12000 + 60001);            // after a quiet spell it starts over
  EXPECT_EQ(p.wait_ms("a", 72001), 1000);
}

TEST(AbusePenalties, EmptyAddressOrZeroCapNeverWaits) {
  AbusePenalties p(PenaltyLimits{});
  p.punish("", 0);
  EXPECT_EQ(p.wait_ms("", 0), 0);
  EXPECT_EQ(p.size(), 0u);
  AbusePenalties off(PenaltyLimits{.max_ms = 0});
  off.punish("a", 0);
  EXPECT_EQ(off.wait_ms("a", 0), 0);
}

TEST(AbusePenalties, TheTableStaysBounded) {
  AbusePenalties p(PenaltyLimits{.first_ms = 1000, .max_ms = 60000, .forget_ms = 600000, .max_addresses = 3});
  for (int i = 0; i < 10; ++i) p.punish("addr" + std::to_string(i), i);
  EXPECT_LE(p.size(), 3u);
  EXPECT_GT(p.wait_ms("addr9", 9), 0);  // the newest is kept
}
