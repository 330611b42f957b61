#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixture_loader.hpp"
#include "support/hex.hpp"
#include "protocol/msgpatch.hpp"

using namespace parley::protocol;

using parley::test::from_hex;

TEST(MsgpatchFixtures, ValidOrdersDecodeAndEncodeToTheSameBytes) {
  const auto fixtures = parley::test::load_fixture("datachannel/msgpatch.json").as_object();
  for (const auto& f : fixtures.at("valid").as_array()) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    const std::string bytes = from_hex(obj.at("hex").as_string());
    auto order = decode_patch(bytes);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->kind == PatchKind::append ? "append" : "replace", obj.at("kind").as_string());
    EXPECT_EQ(order->message_id, obj.at("messageId").as_string());
    EXPECT_EQ(order->value, obj.at("value").as_string());
    EXPECT_EQ(encode_patch(*order), bytes);
  }
}

TEST(MsgpatchFixtures, InvalidOrdersAreRejected) {
  const auto fixtures = parley::test::load_fixture("datachannel/msgpatch.json").as_object();
  for (const auto& f : fixtures.at("invalid").as_array()) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    EXPECT_FALSE(decode_patch(from_hex(obj.at("hex").as_string())));
  }
}

TEST(Msgpatch, OverlongFieldsAreRefusedNotTruncated) {
  EXPECT_FALSE(encode_patch({PatchKind::append, "m", std::string(65536, 'x')}));
  EXPECT_FALSE(encode_patch({PatchKind::append, std::string(65536, 'i'), "v"}));
  auto max = encode_patch({PatchKind::replace, "m", std::string(65535, 'x')});
  ASSERT_TRUE(max);
  EXPECT_EQ(max->size(), 5u + 1 + 65535);
  EXPECT_EQ(decode_patch(*max)->value.size(), 65535u);
}
