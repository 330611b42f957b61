// The original server's flag spellings (issue 13, item 6): its command lines run unchanged.
// --ws-path, --allowed-origin, --management-listen and --kioubit-login-pubkey are Parley's own
// spellings too and are covered where their features are tested; --listen-addr is an alias.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace parley::conformance;

TEST(OriginalFlags, ListenAddrIsListen) {
  ServerProcess server({"--listen-addr", "--ws-path", "/signal", "--allowed-origin", "https://chat.example"});
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
  auto c = WsClient::connect(server.port(), "/signal", {{"Origin", "https://chat.example"}});
  EXPECT_FALSE(c->register_as("original-flags").empty());
}
