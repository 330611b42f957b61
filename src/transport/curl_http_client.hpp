#pragma once
// auth::OutboundHttp over libcurl (blocking easy interface): GitHub OAuth calls and avatar fetches.
// Every limit of the request is enforced here: protocols, redirects, timeouts, body size.
// Thread-safe: each perform() uses its own easy handle. Call it off the I/O threads.
#include "core/auth/http_types.hpp"

namespace parley::transport {

class CurlHttpClient final : public auth::OutboundHttp {
 public:
  // `ca_file`: extra CA bundle ("" = system default). Initializes libcurl once per process.
  explicit CurlHttpClient(std::string ca_file = {});

  auth::OutboundResponse perform(const auth::OutboundRequest& request) override;

 private:
  std::string ca_file_;
};

}  // namespace parley::transport
