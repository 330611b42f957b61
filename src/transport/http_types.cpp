#include "transport/http_types.hpp"

namespace parley::transport {

StringResponse to_response(const protocol::HttpReply& reply, unsigned version, bool keep_alive, bool head) {
  StringResponse res{static_cast<http::status>(reply.status), version};
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  // insert, not set: a reply may carry a header twice (several Set-Cookie values).
  for (const auto& [name, value] : reply.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  res.body() = reply.body;
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length stays that of the full body
  return res;
}

}  // namespace parley::transport
