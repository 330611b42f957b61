#pragma once
// Reads the shared JSON fixtures under tests/fixtures.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace parley::test {

inline boost::json::value load_fixture(const std::string& relative_path) {
  const std::string path = std::string(PARLEY_FIXTURES_DIR) + "/" + relative_path;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

}  // namespace parley::test
