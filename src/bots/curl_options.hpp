// Settings every libcurl request of the bots shares: --custom-ca on top of the system pool, and
// the proxy chosen by the bots' own HTTP(S)_PROXY / NO_PROXY rules (proxy_settings.hpp), so an
// HTTP request goes the same way as the signalling WebSocket.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "bots/proxy_settings.hpp"

namespace parley::bots {

// Adds the PEM files to the trusted CAs of every TLS handshake of `curl`. `files` must outlive it.
void use_custom_cas(CURL* curl, const std::vector<std::string>& files);

// Sends `url` through the proxy `proxy` picks for it (a CONNECT tunnel, as the signalling uses),
// or directly. Returns the Proxy-Authorization header list to free after the transfer (or null).
// Throws std::invalid_argument for a URL or proxy setting that cannot be used.
curl_slist* use_proxy(CURL* curl, const ProxySettings& proxy, const std::string& url);

}  // namespace parley::bots
