#include "transport/static_files.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <array>
#include <ctime>
#include <utility>

namespace parley::transport {
namespace fs = std::filesystem;

namespace {

// Safe segments only: no "..", no ".", no hidden files, no NUL or backslash. The decoded path
// never escapes the root.
bool safe_relative_path(std::string_view path, fs::path& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos < path.size()) {
    const auto next = path.find('/', pos);
    const auto seg = path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    pos = next == std::string_view::npos ? path.size() : next + 1;
    if (seg.empty()) continue;
    if (seg.front() == '.' || seg.find('\\') != std::string_view::npos || seg.find('\0') != std::string_view::npos)
      return false;
    out /= std::string(seg);
  }
  return true;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::string_view mime_type_for(std::string_view ext) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> types{{
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".map", "application/json"}, {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
      {".gif", "image/gif"}, {".webp", "image/webp"}, {".ico", "image/x-icon"}, {".woff", "font/woff"},
      {".woff2", "font/woff2"}, {".ttf", "font/ttf"}, {".wasm", "application/wasm"}, {".mp3", "audio/mpeg"},
      {".ogg", "audio/ogg"}, {".opus", "audio/ogg"}, {".webm", "video/webm"}, {".mp4", "video/mp4"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [e, type] : types)
    if (e == ext) return type;
  return "application/octet-stream";
}

StaticFiles::StaticFiles(WebRoot web_root)
    : root_(std::move(web_root.dir)), headers_(std::move(web_root.headers)), tls_(web_root.tls) {}

void StaticFiles::add_security_headers(http::header<false>& h, const Request& req) const {
  const bool trustworthy = potentially_trustworthy(req[http::field::host], req["X-Forwarded-Proto"], tls_);
  for (const auto& f : headers_)
    if (trustworthy || !secure_context_only(f.name)) h.set(f.name, f.value);
}

bool StaticFiles::has_index() const {
  std::error_code ec;
  return fs::is_regular_file(root_ / "index.html", ec);
}

Response StaticFiles::serve(const Request& req, std::string_view path) const {
  if (req.method() != http::verb::get && req.method() != http::verb::head) return to_response(protocol::method_not_allowed("GET, HEAD"), req);
  fs::path rel;
  if (!safe_relative_path(path, rel)) return to_response(protocol::json_error(404, "not found"), req);
  std::error_code ec;
  const fs::path file = root_ / rel;
  if (!rel.empty() && fs::is_regular_file(file, ec))
    return serve_file(req, file, path.rfind("/assets/", 0) == 0);
  // Client-side routes have no extension; missing assets (with one) are a real 404.
  const bool looks_like_route = rel.empty() || rel.filename().string().find('.') == std::string::npos;
  if (looks_like_route && has_index()) return serve_file(req, root_ / "index.html", false);
  if (rel.empty()) {
    StringResponse res{http::status::not_found, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "The Parley web client is not built. Run scripts/build.sh, or start parley-server with --web-root.\n";
    add_security_headers(res.base(), req);
    res.prepare_payload();
    res.keep_alive(req.keep_alive());
    return res;
  }
  return to_response(protocol::json_error(404, "not found"), req);
}

bool StaticFiles::inside_root(const fs::path& file) const {
  // Symlinks are resolved: one inside the root that points out of it is not served (F9).
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec) return false;
  const fs::path root = fs::canonical(root_, ec);
  if (ec) return false;
  auto r = root.begin();
  auto f = real.begin();
  for (; r != root.end(); ++r, ++f)
    if (f == real.end() || *f != *r) return false;
  return true;
}

Response StaticFiles::serve_file(const Request& req, const fs::path& file, bool immutable) const {
  if (!inside_root(file)) return to_response(protocol::json_error(404, "not found"), req);
  struct stat st{};
  if (::stat(file.c_str(), &st) != 0) return to_response(protocol::json_error(404, "not found"), req);
  const std::string etag = fmt::format("W/\"{:x}-{:x}\"", st.st_size, st.st_mtim.tv_sec);
  auto base_headers = [&](auto& res) {
    res.set(http::field::content_type, mime_type_for(file.extension().string()));
    res.set(http::field::cache_control, immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.set(http::field::etag, etag);
    res.set(http::field::last_modified, http_date(st.st_mtim.tv_sec));
    add_security_headers(res.base(), req);
    res.keep_alive(req.keep_alive());
  };
  if (req[http::field::if_none_match] == etag || (req.method() == http::verb::head)) {
    StringResponse res{req[http::field::if_none_match] == etag ? http::status::not_modified : http::status::ok,
                       req.version()};
    base_headers(res);
    if (res.result() == http::status::ok) res.content_length(static_cast<std::uint64_t>(st.st_size));
    return res;
  }
  FileResponse res{http::status::ok, req.version()};
  boost::beast::error_code ec;
  res.body().open(file.c_str(), boost::beast::file_mode::scan, ec);
  if (ec) return to_response(protocol::json_error(404, "not found"), req);
  base_headers(res);
  res.prepare_payload();
  return res;
}

}  // namespace parley::transport
