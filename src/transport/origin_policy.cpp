#include "transport/origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace parley::transport {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Drops ":80" / ":443" so that "host:80" and "host" compare equal.
std::string strip_default_port(std::string host_port) {
  for (std::string_view port : {":80", ":443"}) {
    if (host_port.size() > port.size() && host_port.compare(host_port.size() - port.size(), port.size(), port) == 0 &&
        host_port.find(']', host_port.size() - port.size()) == std::string::npos) {
      host_port.resize(host_port.size() - port.size());
      break;
    }
  }
  return host_port;
}

}  // namespace

std::string normalise_origin(std::string_view origin) {
  std::string o = lower(origin);
  while (!o.empty() && o.back() == '/') o.pop_back();
  std::string_view scheme;
  if (o.rfind("http://", 0) == 0) scheme = "http://";
  else if (o.rfind("https://", 0) == 0) scheme = "https://";
  else return {};
  std::string host_port = o.substr(scheme.size());
  if (host_port.empty() || host_port.find('/') != std::string::npos) return {};
  return std::string(scheme) + strip_default_port(host_port);
}

std::string host_name_of(std::string_view host_header) {
  std::string h = lower(host_header);
  if (!h.empty() && h.front() == '[') {  // an IPv6 literal, maybe with a port
    const auto end = h.find(']');
    if (end == std::string::npos) return {};
    const auto rest = std::string_view(h).substr(end + 1);
    if (!rest.empty() && rest.front() != ':') return {};
    return h.substr(0, end + 1);
  }
  if (const auto colon = h.find(':'); colon != std::string::npos) h.resize(colon);
  while (!h.empty() && h.back() == '.') h.pop_back();  // "example.com." is the same name
  return h;
}

bool OriginPolicy::host_allowed(std::string_view host_header) const {
  if (allowed_hosts.empty()) return true;
  const std::string name = host_name_of(host_header);
  if (name.empty()) return false;
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(),
                     [&](const std::string& a) { return host_name_of(a) == name; });
}

bool OriginPolicy::is_allow_listed(std::string_view origin) const {
  const std::string o = normalise_origin(origin);
  if (o.empty()) return false;
  return std::any_of(allowed_origins.begin(), allowed_origins.end(),
                     [&](const std::string& a) { return normalise_origin(a) == o; });
}

bool OriginPolicy::is_same_origin(std::string_view origin, std::string_view host_header) {
  const std::string o = normalise_origin(origin);
  if (o.empty() || host_header.empty()) return false;
  const std::string host_port = o.substr(o.find("://") + 3);
  return host_port == strip_default_port(lower(host_header));
}

bool OriginPolicy::accepts_websocket(std::string_view origin, bool origin_present, std::string_view host_header) const {
  if (!origin_present) return allow_missing_origin;
  return is_allow_listed(origin) || is_same_origin(origin, host_header);
}

}  // namespace parley::transport
