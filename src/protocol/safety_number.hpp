// Safety numbers (docs/PROTOCOL-EXTENSIONS.md, "Safety numbers"): the DTLS fingerprint of an
// applied SDP, and the 60-digit number both ends of a connection compute from the two
// fingerprints. Pure functions, checked against tests/fixtures/peer/safety_numbers.json, which
// the web client's implementation is checked against too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

// The first sha-256 `a=fingerprint:` line of `sdp`, else the first of any algorithm, written
// `<algorithm in lower case> <HEX:IN:UPPER:CASE>`; nullopt when there is none. Malformed lines
// (no value, hex that is not colon-separated byte pairs) are ignored.
std::optional<std::string> sdp_fingerprint(std::string_view sdp);

// The safety number of the two fingerprints, in either order: 60 digits in 12 groups of 5
// separated by single spaces.
std::string safety_number(std::string_view fingerprint_a, std::string_view fingerprint_b);

}  // namespace parley::protocol
