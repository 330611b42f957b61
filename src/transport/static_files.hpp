#pragma once
// The built web client under --web-root: files with their MIME types and caching headers, and
// the single-page-app fallback to index.html for paths that look like client routes.
#include <filesystem>
#include <string>
#include <string_view>

#include "transport/http_types.hpp"

namespace parley::transport {

class StaticFiles {
public:
  explicit StaticFiles(std::filesystem::path root);

  // `decoded_path` is the URL path after percent-decoding, starting with '/'.
  Response serve(const Request& req, std::string_view decoded_path) const;
  bool has_index() const;

private:
  Response serve_file(const Request& req, const std::filesystem::path& file, bool immutable) const;

  std::filesystem::path root_;
};

std::string_view mime_type_for(std::string_view extension);

}  // namespace parley::transport
