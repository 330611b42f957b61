#include <gtest/gtest.h>

#include "signalling/turn_ticket.hpp"

using parley::signalling::TurnTickets;

TEST(TurnTickets, OnlyTicketsOfThisKeyNameTheirNode) {
  TurnTickets tickets, other;
  const auto t = tickets.issue("node-1");
  EXPECT_EQ(tickets.node_of(t), "node-1");
  EXPECT_EQ(other.node_of(t), std::nullopt) << "another key (a restarted server)";
  EXPECT_EQ(tickets.node_of("node-1." + std::string(64, '0')), std::nullopt);
  EXPECT_EQ(tickets.node_of("node-2" + t.substr(6)), std::nullopt) << "the MAC is bound to the node id";
  EXPECT_EQ(tickets.node_of(""), std::nullopt);
  EXPECT_EQ(tickets.node_of("."), std::nullopt);
  EXPECT_EQ(tickets.node_of(t + "0"), std::nullopt);
}
