#include "bots/curl_options.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace parley::bots {
namespace {

// --custom-ca adds to the system pool rather than replacing it.
CURLcode add_cas(CURL*, void* ssl_ctx, void* user) {
  auto* cas = static_cast<const std::vector<std::string>*>(user);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const auto& file : *cas) X509_STORE_load_locations(store, file.c_str(), nullptr);
  return CURLE_OK;
}

}  // namespace

void use_custom_cas(CURL* curl, const std::vector<std::string>& files) {
  if (files.empty()) return;
  curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, add_cas);
  curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, &files);
}

curl_slist* use_proxy(CURL* curl, const ProxySettings& proxy, const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) throw std::invalid_argument("bad URL");
  const bool tls = u->scheme() == "https";
  const std::string port = u->has_port() ? std::string(u->port()) : (tls ? "443" : "80");
  const auto endpoint = proxy.proxy_for(tls, u->host_address(), port);
  if (!endpoint) {
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // "": no proxy, whatever curl's own variables say
    return nullptr;
  }
  const std::string host = endpoint->host.find(':') != std::string::npos ? "[" + endpoint->host + "]" : endpoint->host;
  curl_easy_setopt(curl, CURLOPT_PROXY, ("http://" + host + ":" + endpoint->port).c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPPROXYTUNNEL, 1L);
  if (endpoint->authorization.empty()) return nullptr;
  curl_easy_setopt(curl, CURLOPT_HEADEROPT, CURLHEADER_SEPARATE);  // never to the server itself
  auto* headers = curl_slist_append(nullptr, ("Proxy-Authorization: " + endpoint->authorization).c_str());
  curl_easy_setopt(curl, CURLOPT_PROXYHEADER, headers);
  return headers;
}

}  // namespace parley::bots
