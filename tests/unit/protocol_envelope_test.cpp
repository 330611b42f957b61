#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixture_loader.hpp"
#include "protocol/envelope.hpp"
#include "protocol/server_frames.hpp"

namespace json = boost::json;
using namespace parley::protocol;

TEST(EnvelopeFixtures, ValidFramesRoundTrip) {
  const auto fixtures = parley::test::load_fixture("signalling/valid.json").as_array();
  ASSERT_GE(fixtures.size(), 10u);
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    const std::string text = json::serialize(obj.at("frame"));
    auto decoded = decode_envelope(text, Sender::server);
    ASSERT_TRUE(decoded.ok()) << decoded.error.message;
    EXPECT_EQ(json::parse(encode_envelope(*decoded.envelope)), obj.at("frame"));
  }
}

TEST(EnvelopeFixtures, ToleratedInputDecodesToCanonical) {
  const auto fixtures = parley::test::load_fixture("signalling/tolerated.json").as_array();
  ASSERT_FALSE(fixtures.empty());
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    auto decoded = decode_envelope(std::string(obj.at("text").as_string()), Sender::client);
    ASSERT_TRUE(decoded.ok()) << decoded.error.message;
    EXPECT_EQ(json::parse(encode_envelope(*decoded.envelope)), obj.at("canonical"));
  }
}

TEST(EnvelopeFixtures, InvalidFramesAreRejectedWithCodeAndRef) {
  const auto fixtures = parley::test::load_fixture("signalling/invalid.json").as_array();
  ASSERT_FALSE(fixtures.empty());
  for (const auto& f : fixtures) {
    const auto& obj = f.as_object();
    SCOPED_TRACE(std::string(obj.at("name").as_string()));
    auto decoded = decode_envelope(std::string(obj.at("text").as_string()), Sender::client);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error.code, obj.at("code").as_string());
    if (obj.at("ref").is_null()) {
      EXPECT_FALSE(decoded.error.ref.has_value());
    } else {
      ASSERT_TRUE(decoded.error.ref.has_value());
      EXPECT_EQ(*decoded.error.ref, obj.at("ref").as_string());
    }
  }
}

TEST(Envelope, ClientSentServerFieldsAreIgnoredWhateverTheirType) {
  auto decoded = decode_envelope(R"({"node_id":5,"online":[],"error":"x","register":{"node_name":"a"}})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded.envelope->node_id);
  EXPECT_FALSE(decoded.envelope->online);
  EXPECT_EQ(decoded.envelope->register_->node_name, std::string("a"));
}

TEST(Envelope, InvalidUtf8IsBadJson) {
  auto decoded = decode_envelope("{\"register\":{\"node_name\":\"\xff\xfe\"}}");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error.code, "bad_json");
}

TEST(Envelope, DeepNestingIsBadJsonNotACrash) {
  std::string deep(10000, '[');
  auto decoded = decode_envelope("{\"x\":" + deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error.code, "bad_json");
}

TEST(Envelope, HugeIntegerIsClampedOutOfSafeRange) {
  auto decoded = decode_envelope(R"({"echo":{"direction":"ping","seq_id":18446744073709551615}})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_GT(decoded.envelope->echo->seq_id, (std::int64_t{1} << 53));
}

TEST(ServerFrames, RelayCarriesOnlyKnownFieldsWithStampedSender) {
  SdpOffer offer{"offer", "{\"sdp\":\"v=0\\r\\n\"}", "spoofed", "target"};
  const auto frame = json::parse(encode_sdp_relay(offer, "real-sender")).as_object();
  ASSERT_EQ(frame.size(), 1u);
  const auto& inner = frame.at("sdp_offer").as_object();
  EXPECT_EQ(inner.at("from_node_id"), "real-sender");
  EXPECT_EQ(inner.at("to_node_id"), "target");
  EXPECT_EQ(inner.at("offer_json"), "{\"sdp\":\"v=0\\r\\n\"}");
  EXPECT_EQ(inner.size(), 4u);
}

TEST(ServerFrames, ErrorFrameHasNoNodeIdOrRegister) {
  const auto frame = json::parse(encode_error("bad_json", "x", std::nullopt)).as_object();
  EXPECT_EQ(frame.size(), 1u);
  EXPECT_TRUE(frame.at("error").as_object().at("ref").is_null());
}

TEST(ServerFrames, StringsWithControlCharactersAreEscaped) {
  const auto text = encode_register_reply("id", std::string("a\"b\\c\n\x01", 7));
  const auto frame = json::parse(text).as_object();
  EXPECT_EQ(frame.at("register").as_object().at("node_name"), json::value(std::string("a\"b\\c\n\x01", 7)));
}
