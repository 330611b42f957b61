#include "app/server_turn_options.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/duration.hpp"
#include "app/duration_flag.hpp"

namespace parley::app {
namespace {

bool is_turn_url(const std::string& url) {
  if (!url.starts_with("turn:") && !url.starts_with("turns:")) return false;
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) return false;
  return url.size() > 6;
}

}  // namespace

void add_turn_options(CLI::App& app, TurnFlags& f) {
  app.add_option("--turn-secret-file", f.secret_file,
                 "File holding coturn's static-auth-secret: enables GET /ice-servers (TURN credentials, coturn REST)")
      ->envname("PARLEY_TURN_SECRET_FILE");
  app.add_option("--turn-url", f.urls, "TURN URL handed out with the credentials (repeatable), e.g. turn:turn.example.com:3478")
      ->envname("PARLEY_TURN_URLS")->delimiter(',');
  app.add_option("--turn-ttl", f.ttl, "How long TURN credentials are valid")
      ->envname("PARLEY_TURN_TTL")->check(DurationValidator())->capture_default_str();
}

std::optional<std::string> finish_turn_options(const TurnFlags& f, ServerOptions& out) {
  if (f.secret_file.empty() && f.urls.empty()) return std::nullopt;
  if (f.secret_file.empty()) return "--turn-url needs --turn-secret-file (the secret shared with coturn)";
  if (f.urls.empty()) return "--turn-secret-file needs at least one --turn-url";
  for (const auto& u : f.urls)
    if (!is_turn_url(u)) return "--turn-url must be a turn: or turns: URL (got '" + u + "')";
  std::ifstream in(f.secret_file, std::ios::binary);
  if (!in) return "--turn-secret-file " + f.secret_file + ": cannot read it (" + std::strerror(errno) + ")";
  std::ostringstream s;
  s << in.rdbuf();
  std::string secret = s.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.empty()) return "--turn-secret-file " + f.secret_file + ": the file is empty";
  const auto ttl = parse_duration(f.ttl);
  // Under a minute a credential could expire between the fetch and the allocation it is for.
  if (!ttl || *ttl < std::chrono::minutes(1) || *ttl > std::chrono::hours(24 * 7))
    return "--turn-ttl must be between 1m and 7d (got '" + f.ttl + "')";
  accounts::TurnConfig config;
  config.secret = std::move(secret);
  config.urls = f.urls;
  config.ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  out.turn = std::move(config);
  return std::nullopt;
}

}  // namespace parley::app
