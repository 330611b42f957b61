#pragma once
// accounts::OutboundHttp over libcurl (blocking easy interface): GitHub OAuth calls and avatar fetches.
// Every limit of the request is enforced here: protocols, redirects, timeouts, body size.
// Thread-safe: each perform() uses its own easy handle. Call it off the I/O threads.
#include "accounts/http/http_types.hpp"

namespace parley::transport {

class CurlHttpClient final : public accounts::OutboundHttp {
 public:
  // `ca_file`: extra CA bundle ("" = system default). Initializes libcurl once per process.
  explicit CurlHttpClient(std::string ca_file = {});

  accounts::OutboundResponse perform(const accounts::OutboundRequest& request) override;

 private:
  std::string ca_file_;
};

}  // namespace parley::transport
