#pragma once
// The built web client under --web-root: files with their MIME types and caching headers, and
// the single-page-app fallback to index.html for paths that look like client routes.
#include <filesystem>
#include <string>
#include <string_view>

#include <vector>

#include "transport/http_types.hpp"
#include "transport/security_headers.hpp"

namespace parley::transport {

// The web client: its directory (--web-root) and the headers every file is served with.
struct WebRoot {
  std::string dir;
  std::vector<HeaderField> headers = default_security_headers();
  bool tls = false;  // served over https by this server: every page is a secure context
};

class StaticFiles {
public:
  explicit StaticFiles(WebRoot web_root);

  // `decoded_path` is the URL path after percent-decoding, starting with '/'.
  Response serve(const Request& req, std::string_view decoded_path) const;
  bool has_index() const;

private:
  Response serve_file(const Request& req, const std::filesystem::path& file, bool immutable) const;
  void add_security_headers(http::header<false>& h, const Request& req) const;

  // `file`'s real path (symlinks resolved) lies under the root's real path.
  bool inside_root(const std::filesystem::path& file) const;
  std::filesystem::path root_;
  std::vector<HeaderField> headers_;
  bool tls_ = false;
};

std::string_view mime_type_for(std::string_view extension);

}  // namespace parley::transport
