// The bots' certificate store on real files: made once with the right modes, reused, renewed
// only within a week of expiry, and a damaged file refused with a message naming it, never
// replaced behind the operator's back.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bots/certificate_store.hpp"
#include "bots_harness.hpp"
#include "peer/certificate.hpp"

namespace parley::bots::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

class CertificateStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/parley-certs-XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = root_ / "data" / "bots";  // missing: the store makes it
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path file() const { return dir_ / "EchoBot.dtls.pem"; }
  void write(const std::string& bytes) {
    fs::create_directories(dir_);
    std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes;
  }
  // Loading must throw a message naming the file and saying how to get a new one, and leave
  // the file as it was.
  void expect_refused(const std::string& why) {
    const auto before = read_file(file());
    try {
      load_bot_certificate(dir_, "EchoBot");
      ADD_FAILURE() << "loaded a damaged file";
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(file().string()), std::string::npos) << message;
      EXPECT_NE(message.find(why), std::string::npos) << message;
      EXPECT_NE(message.find("Delete the file to make a new certificate"), std::string::npos) << message;
    }
    EXPECT_EQ(read_file(file()), before) << "a refused file is never replaced";
  }
  static unsigned mode(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
  }

  fs::path root_, dir_;
};

TEST_F(CertificateStore, FirstStartMakesTheFileWithPrivateModesLaterStartsReuseIt) {
  const auto first = load_bot_certificate(dir_, "EchoBot");
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(first.renewed);
  EXPECT_EQ(first.file, file());
  EXPECT_EQ(mode(dir_), 0700u);
  EXPECT_EQ(mode(file()), 0600u);
  EXPECT_TRUE(first.info.fingerprint.starts_with("sha-256 "));
  EXPECT_GT(first.info.expires - std::chrono::system_clock::now(), hours(24 * 364));
  EXPECT_EQ(read_file(file()), first.pem.private_key + first.pem.certificate);
  // Nothing else is left in the directory (the temporary file is gone).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);

  const auto bytes = read_file(file());
  const auto again = load_bot_certificate(dir_, "EchoBot");
  EXPECT_FALSE(again.created);
  EXPECT_FALSE(again.renewed);
  EXPECT_EQ(again.info.fingerprint, first.info.fingerprint);
  EXPECT_EQ(read_file(file()), bytes);

  // Each bot has its own.
  EXPECT_NE(load_bot_certificate(dir_, "CounterBot").info.fingerprint, first.info.fingerprint);
}

TEST_F(CertificateStore, RenewedOnlyWhenItExpiresWithinAWeek) {
  const auto first = load_bot_certificate(dir_, "EchoBot");
  const auto eight_days_left = first.info.expires - hours(24 * 8);
  const auto kept = load_bot_certificate(dir_, "EchoBot", eight_days_left);
  EXPECT_FALSE(kept.renewed);
  EXPECT_EQ(kept.info.fingerprint, first.info.fingerprint);

  const auto six_days_left = first.info.expires - hours(24 * 6);
  const auto renewed = load_bot_certificate(dir_, "EchoBot", six_days_left);
  EXPECT_TRUE(renewed.renewed);
  EXPECT_NE(renewed.info.fingerprint, first.info.fingerprint);
  EXPECT_EQ(mode(file()), 0600u);
  EXPECT_EQ(load_bot_certificate(dir_, "EchoBot").info.fingerprint, renewed.info.fingerprint) << "the new one is stored";

  // One already expired is renewed too.
  const auto short_lived = peer::generate_certificate(hours(1));
  write(short_lived.private_key + short_lived.certificate);
  EXPECT_TRUE(load_bot_certificate(dir_, "EchoBot", std::chrono::system_clock::now() + hours(2)).renewed);
}

TEST_F(CertificateStore, DamagedFilesAreRefused) {
  write("not a certificate\n");
  expect_refused("does not hold a private key followed by a certificate");
  write("");
  expect_refused("does not hold a private key followed by a certificate");

  const auto one = peer::generate_certificate(hours(24 * 30));
  const auto two = peer::generate_certificate(hours(24 * 30));
  write(one.private_key + one.certificate.substr(0, one.certificate.size() / 2));
  expect_refused("the certificate does not parse");
  write(one.private_key.substr(0, 40) + one.certificate);
  expect_refused("the private key does not parse");
  write(one.private_key + two.certificate);  // another key's certificate
  expect_refused("the private key is not the certificate's");
}

TEST_F(CertificateStore, WhatIsNotAReadableFileIsRefused) {
  fs::create_directories(file());  // a directory where the file should be
  expect_refused("is not a regular file");
  fs::remove(file());
  const auto other = root_ / "elsewhere.pem";
  std::ofstream(other) << "x";
  fs::create_symlink(other, file());  // never followed
  try {
    load_bot_certificate(dir_, "EchoBot");
    ADD_FAILURE() << "followed a symlink";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be read"), std::string::npos) << e.what();
  }
}

TEST_F(CertificateStore, ADataDirectoryThatIsAFileIsRefused) {
  fs::create_directories(dir_.parent_path());
  std::ofstream(dir_) << "x";
  EXPECT_THROW(load_bot_certificate(dir_, "EchoBot"), std::runtime_error);
}

}  // namespace
}  // namespace parley::bots::test
