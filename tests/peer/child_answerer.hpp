#pragma once

#include <string>

#include "peer/types.hpp"

namespace parley::peer::test {
std::string encode_signal(const std::string& kind, const SessionDescription* d, const IceCandidate* c);
bool decode_signal(const std::string& line, std::string& kind, SessionDescription& d, IceCandidate& c);
int run_child_answerer();
}  // namespace parley::peer::test
