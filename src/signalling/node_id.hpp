#pragma once
#include <string>

namespace parley::signalling {

// A random UUID v4, lowercase with hyphens (§2.3).
std::string new_node_id();

}  // namespace parley::signalling
