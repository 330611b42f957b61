#include "protocol/safety_number.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "protocol/ascii.hpp"

namespace parley::protocol {
namespace {

constexpr std::string_view kAttribute = "a=fingerprint:";
constexpr std::string_view kSpace = " \t\v\f\r";  // white space within a line
constexpr int kDigits = 60;
constexpr int kGroup = 5;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "AB:CD:…" with at least two byte pairs (what the web client accepts too), in upper case.
std::optional<std::string> normalised_hex(std::string_view value) {
  if (value.size() < 5 || (value.size() + 1) % 3 != 0) return std::nullopt;
  std::string out(value);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i % 3 == 2) {
      if (out[i] != ':') return std::nullopt;
    } else if (!is_hex(out[i])) {
      return std::nullopt;
    } else if (out[i] >= 'a') {
      out[i] = static_cast<char>(out[i] - 'a' + 'A');
    }
  }
  return out;
}

// One `a=fingerprint:<algorithm> <hex>` line, normalised, or nullopt. As the web client's
// pattern: no space before the algorithm, white space between, only white space after.
std::optional<std::string> parse_line(std::string_view line) {
  if (!line.starts_with(kAttribute)) return std::nullopt;
  line.remove_prefix(kAttribute.size());
  const auto algorithm_end = line.find_first_of(kSpace);
  if (algorithm_end == 0 || algorithm_end == std::string_view::npos) return std::nullopt;
  auto hex = normalised_hex(trim_ascii_space(line.substr(algorithm_end)));
  if (!hex) return std::nullopt;
  return ascii_lowercase(line.substr(0, algorithm_end)) + " " + *hex;
}

}  // namespace

std::optional<std::string> sdp_fingerprint(std::string_view sdp) {
  std::optional<std::string> first;
  while (!sdp.empty()) {
    const auto end = sdp.find('\n');
    auto line = sdp.substr(0, end);
    sdp.remove_prefix(end == std::string_view::npos ? sdp.size() : end + 1);
    auto fingerprint = parse_line(line);
    if (!fingerprint) continue;
    if (fingerprint->starts_with("sha-256 ")) return fingerprint;
    if (!first) first = std::move(fingerprint);
  }
  return first;
}

std::string safety_number(std::string_view fingerprint_a, std::string_view fingerprint_b) {
  // Sorted as byte strings, so both ends hash the same text.
  if (fingerprint_b < fingerprint_a) std::swap(fingerprint_a, fingerprint_b);
  std::string text;
  text.reserve(fingerprint_a.size() + 1 + fingerprint_b.size());
  text.append(fingerprint_a).append("\n").append(fingerprint_b);
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32)
    throw std::runtime_error("SHA-256 failed");

  // The digest as a big-endian number, divided by 10 again and again by long division on its
  // bytes; the remainders are its decimal digits from the last. 60 of them are the number modulo
  // 10^60, leading zeros included.
  std::string digits(kDigits, '0');
  for (int i = kDigits - 1; i >= 0; --i) {
    unsigned remainder = 0;
    for (auto& byte : digest) {
      const unsigned value = remainder * 256 + byte;
      byte = static_cast<unsigned char>(value / 10);
      remainder = value % 10;
    }
    digits[static_cast<size_t>(i)] = static_cast<char>('0' + remainder);
  }
  std::string grouped;
  grouped.reserve(kDigits + kDigits / kGroup - 1);
  for (int i = 0; i < kDigits; i += kGroup) {
    if (i > 0) grouped += ' ';
    grouped.append(digits, static_cast<size_t>(i), kGroup);
  }
  return grouped;
}

}  // namespace parley::protocol
