// DTLS certificates that outlive a connection (and a process): made once, stored by the caller
// as PEM, given to every connection through PeerConfig::certificate.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "peer/types.hpp"

namespace parley::peer {

// A new ECDSA P-256 certificate valid from now for `lifetime` (libwebrtc caps it at 365 days).
// Throws std::runtime_error if libwebrtc cannot make one.
CertificatePem generate_certificate(std::chrono::seconds lifetime);

// The fingerprint and expiry of a stored certificate; nullopt with `*error` saying why when it
// cannot be used: a key or certificate that does not parse, or a key that is not the
// certificate's.
std::optional<CertificateInfo> inspect_certificate(const CertificatePem& pem, std::string* error);

}  // namespace parley::peer
