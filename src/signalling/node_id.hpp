#pragma once
#include <string>

namespace parley::core {

// A random UUID v4, lowercase with hyphens (§2.3).
std::string new_node_id();

}  // namespace parley::core
