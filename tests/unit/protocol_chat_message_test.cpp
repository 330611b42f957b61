#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixture_loader.hpp"
#include "protocol/chat_message.hpp"

namespace json = boost::json;
using namespace parley::protocol;

TEST(ChatMessageFixtures, ValidMessagesDecodeWithTheirKindAndRoundTrip) {
  const auto fixtures = parley::test::load_fixture("datachannel/chat_messages.json").as_object();
  const auto& valid = fixtures.at("valid").as_array();
  ASSERT_GE(valid.size(), 10u);
  for (const auto& f : valid) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    auto decoded = decode_chat_message(json::serialize(obj.at("json")));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(to_string(kind_of(*decoded)), obj.at("kind").as_string());
    // Local-only legacy fields are dropped; everything else survives re-encoding.
    json::object expected = obj.at("json").as_object();
    for (auto legacy : {"acked", "unread", "songTrack"}) expected.erase(legacy);
    EXPECT_EQ(json::parse(encode_chat_message(*decoded)), json::value(expected));
  }
}

TEST(ChatMessageFixtures, GarbageIsIgnored) {
  const auto fixtures = parley::test::load_fixture("datachannel/chat_messages.json").as_object();
  for (const auto& f : fixtures.at("ignored").as_array()) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    EXPECT_FALSE(decode_chat_message(std::string(obj.at("text").as_string())).has_value());
  }
}

TEST(ChatMessage, WrongTypesCountAsAbsent) {
  auto m = decode_chat_message(R"({"messageId":"x","message":5,"timestamp":"now","ack":"y","ping":{"seq":"1"}})");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->message);
  EXPECT_EQ(m->timestamp, 0);
  EXPECT_FALSE(m->ack);
  EXPECT_FALSE(m->ping);
  EXPECT_EQ(kind_of(*m), ChatKind::other);
}

TEST(ChatMessage, JavaScriptNumbersAndNumericDcId) {
  auto m = decode_chat_message(R"({"messageId":"x","timestamp":1735689600000.0,"file":{"name":"a","size":3.0,"dcId":7}})");
  ASSERT_TRUE(m && m->file);
  EXPECT_EQ(m->timestamp, 1735689600000);
  EXPECT_EQ(m->file->size, 3u);
  EXPECT_EQ(m->file->dc_id, "7");
  EXPECT_FALSE(decode_chat_message(R"({"messageId":"x","file":{"size":-1}})")->file);
}

TEST(ChatMessage, BotShapes) {
  EXPECT_EQ(json::parse(encode_chat_message(make_ack("n", "B", "A", 5, "m"))),
            json::parse(R"({"messageId":"n","fromNodeId":"B","toNodeId":"A","timestamp":5,"ack":{"messageId":"m"}})"));
  EXPECT_EQ(json::parse(encode_chat_message(make_pong("n", "B", "A", 5, 3))),
            json::parse(R"({"messageId":"n","fromNodeId":"B","toNodeId":"A","timestamp":5,"ping":{"direction":"pong","seq":3}})"));
  EXPECT_EQ(json::parse(encode_chat_message(make_text("n", "B", "A", 5, "a\n\"b\""))),
            json::parse(R"({"messageId":"n","fromNodeId":"B","toNodeId":"A","timestamp":5,"message":"a\n\"b\""})"));
}
