#pragma once
// Internal: a stored certificate as libwebrtc's RTCCertificate (certificate.cpp).
#include "api/scoped_refptr.h"
#include "peer/types.hpp"
#include "rtc_base/rtc_certificate.h"

namespace parley::peer::detail {

// nullptr if the PEM does not load or its key is not the certificate's.
rtc::scoped_refptr<rtc::RTCCertificate> load_certificate(const CertificatePem& pem, std::string* error);

}  // namespace parley::peer::detail
