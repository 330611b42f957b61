// Each bot's DTLS certificate, kept in the bots' data directory as <dir>/<bot>.dtls.pem, so
// that its fingerprint, and the safety numbers people compare with it, survive restarts
// (docs/PROTOCOL-EXTENSIONS.md, "Safety numbers"). A file that cannot be used stops the start:
// replacing it silently would change the numbers without anyone deciding to.
#pragma once

#include <chrono>
#include <filesystem>
#include <string_view>

#include "peer/types.hpp"

namespace parley::bots {

// A new certificate lasts a year (libwebrtc's cap); one with less than a week left is renewed.
inline constexpr std::chrono::hours kCertificateLifetime{24 * 365};
inline constexpr std::chrono::hours kCertificateRenewBefore{24 * 7};

struct BotCertificate {
  peer::CertificatePem pem;
  peer::CertificateInfo info;
  std::filesystem::path file;
  bool created = false;  // there was no file
  bool renewed = false;  // the file's certificate expired within kCertificateRenewBefore
};

// Loads the bot's certificate, or writes a new one (directory 0700, file 0600, complete or not
// at all) when there is none or it expires within a week (logged as a warning: the bot's safety
// numbers change). Throws std::runtime_error naming the file, and saying that deleting it makes
// a new certificate, when the file cannot be read or does not hold a matching key and certificate.
BotCertificate load_bot_certificate(const std::filesystem::path& dir, std::string_view bot_name,
                                    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace parley::bots
