#pragma once
// Every open signalling connection of this server, registered or not, keyed by node id.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "signalling/connection.hpp"

namespace parley::signalling {

class Registry {
public:
  Connection& add(std::unique_ptr<Connection> connection);
  void remove(const std::string& node_id);
  Connection* find(const std::string& node_id);
  std::size_t size() const { return connections_.size(); }
  std::size_t registered_count() const { return registered_; }
  void mark_registered(Connection& c);

  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [id, c] : connections_) fn(*c);
  }

private:
  std::unordered_map<std::string, std::unique_ptr<Connection>> connections_;
  std::size_t registered_ = 0;
};

}  // namespace parley::signalling
