// Certificates kept by the caller: a generated one is what the peer sees in the DTLS handshake
// (its fingerprint is in both ends' applied descriptions), and a broken one is refused.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "peer/certificate.hpp"
#include "protocol/safety_number.hpp"

namespace parley::peer::test {
namespace {

using std::chrono::hours;

TEST(PeerCertificate, GeneratedCertificateHasItsLifetimeAndASha256Fingerprint) {
  const auto pem = generate_certificate(hours(24 * 30));
  EXPECT_NE(pem.private_key.find("PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(pem.certificate.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  std::string error;
  auto info = inspect_certificate(pem, &error);
  ASSERT_TRUE(info) << error;
  EXPECT_TRUE(info->fingerprint.starts_with("sha-256 ")) << info->fingerprint;
  EXPECT_EQ(info->fingerprint.size(), 8u + 32 * 3 - 1);
  const auto left = info->expires - std::chrono::system_clock::now();
  EXPECT_GT(left, hours(24 * 29));
  EXPECT_LT(left, hours(24 * 31));
  // Two certificates, two fingerprints; the same PEM, the same fingerprint.
  EXPECT_NE(inspect_certificate(generate_certificate(hours(24)), nullptr)->fingerprint, info->fingerprint);
  EXPECT_EQ(inspect_certificate(pem, nullptr)->fingerprint, info->fingerprint);
}

TEST(PeerCertificate, BrokenOrMismatchedPemIsRefused) {
  const auto one = generate_certificate(hours(24));
  const auto two = generate_certificate(hours(24));
  std::string error;
  EXPECT_FALSE(inspect_certificate({one.private_key, two.certificate}, &error));
  EXPECT_EQ(error, "the private key is not the certificate's");
  EXPECT_FALSE(inspect_certificate({one.private_key, "garbage"}, &error));
  EXPECT_EQ(error, "the certificate does not parse");
  auto cut = one.private_key.substr(0, one.private_key.size() / 2);
  EXPECT_FALSE(inspect_certificate({cut, one.certificate}, &error));
  EXPECT_EQ(error, "the private key does not parse");

  Loop loop;
  Factory factory({loop.executor(), true});
  PeerConfig config;
  config.certificate = CertificatePem{one.private_key, two.certificate};
  EXPECT_EQ(loop.run([&] { return factory.create(config, {}); }), nullptr) << "never a fresh certificate instead";
}

TEST(PeerCertificate, FingerprintsOfAppliedDescriptionsAgreeAcrossTheConnection) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  const auto pem = generate_certificate(hours(24 * 30));
  const auto info = inspect_certificate(pem, nullptr);
  ASSERT_TRUE(info);

  // Before any exchange there is nothing applied.
  auto lone = loop.run([&] { return factory.create({}, {}); });
  ASSERT_TRUE(lone);
  EXPECT_EQ(lone->local_fingerprint(), std::nullopt);
  EXPECT_EQ(lone->remote_fingerprint(), std::nullopt);
  lone->close();

  PeerConfig config;
  config.certificate = pem;  // both ends present it: what matters is that it is presented
  auto pair = connect_pair(factory, loop, waiter, config);
  ASSERT_TRUE(pair);
  auto a_local = pair->a->local_fingerprint(), a_remote = pair->a->remote_fingerprint();
  auto b_local = pair->b->local_fingerprint(), b_remote = pair->b->remote_fingerprint();
  ASSERT_TRUE(a_local && a_remote && b_local && b_remote);
  EXPECT_EQ(*b_local, info->fingerprint);
  EXPECT_EQ(*a_local, info->fingerprint);
  EXPECT_EQ(*a_remote, *b_local);
  EXPECT_EQ(*b_remote, *a_local);
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

TEST(PeerCertificate, WithoutACertificateEachConnectionHasItsOwnAndBothEndsComputeOneNumber) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);
  auto a_local = pair->a->local_fingerprint(), a_remote = pair->a->remote_fingerprint();
  auto b_local = pair->b->local_fingerprint(), b_remote = pair->b->remote_fingerprint();
  ASSERT_TRUE(a_local && a_remote && b_local && b_remote);
  EXPECT_NE(*a_local, *b_local);
  EXPECT_EQ(*a_remote, *b_local);
  EXPECT_EQ(protocol::safety_number(*a_local, *a_remote), protocol::safety_number(*b_local, *b_remote));
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

}  // namespace
}  // namespace parley::peer::test
