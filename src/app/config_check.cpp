#include "app/config_check.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>
#include <system_error>

#include "accounts/jwt_key.hpp"

namespace parley::app {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

// "" when this process may do `mode` (access(2) bits) on `path`, else why not. access() also
// reports a read-only file system (ProtectSystem=strict, a read-only container volume) for root.
std::string access_problem(const fs::path& path, int mode) {
  return ::access(path.c_str(), mode) == 0 ? "" : errno_text(errno);
}

// The closest directory that exists on the way up from `path` (which does not exist).
fs::path nearest_existing(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  return p;
}

// A directory the server creates at start when missing: fine if it exists and is writable, or if
// the closest existing directory above it lets us create it. Returns what was found, or "" and
// records a problem.
std::string creatable_dir(ConfigCheck& c, const std::string& what, const fs::path& dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      c.problems.push_back(what + " " + dir.string() + " exists and is not a directory");
      return "";
    }
    if (auto why = access_problem(dir, R_OK | W_OK | X_OK); !why.empty()) {
      c.problems.push_back(what + " " + dir.string() + " is not writable: " + why);
      return "";
    }
    return "exists, writable";
  }
  const fs::path above = nearest_existing(dir);
  if (!fs::is_directory(above, ec)) {
    c.problems.push_back(what + " " + dir.string() + " cannot be created: " + above.string() + " is not a directory");
    return "";
  }
  if (auto why = access_problem(above, W_OK | X_OK); !why.empty()) {
    c.problems.push_back(what + " " + dir.string() + " cannot be created in " + above.string() + ": " + why);
    return "";
  }
  return "missing, can be created in " + above.string();
}

void check_data_dir(ConfigCheck& c, const ServerOptions& o) {
  const auto& a = o.accounts;
  const auto found = creatable_dir(c, "--data-dir", a.data_dir);
  if (found.empty()) return;
  std::string detail = found;
  std::error_code ec;
  // The database is only looked at: opening it could run migrations or create WAL files. Its
  // lock is not probed either, since even a brief flock could make a server starting now fail.
  const fs::path db = a.data_dir / "parley.db";
  if (fs::exists(fs::symlink_status(db, ec))) {
    if (!fs::is_regular_file(db, ec)) {
      c.problems.push_back("--data-dir: " + db.string() + " is not a regular file");
    } else if (fs::file_size(db, ec) == 0) {
      c.problems.push_back("--data-dir: " + db.string() + " is empty (0 bytes): the server refuses it as damaged");
    } else if (auto why = access_problem(db, R_OK | W_OK); !why.empty()) {
      c.problems.push_back("--data-dir: " + db.string() + " is not readable and writable: " + why);
    } else {
      detail += ", parley.db present";
    }
  } else {
    detail += ", no parley.db yet (created at start)";
  }
  const fs::path key = a.jwt_secret_file.empty() ? a.data_dir / accounts::JwtKey::kDefaultFileName : a.jwt_secret_file;
  if (!a.jwt_secret_file.empty() || fs::exists(fs::symlink_status(key, ec))) {
    try {
      (void)accounts::JwtKey::load(key);  // reads only; at least 32 bytes
      c.checked.push_back("JWT key " + key.string() + ": readable, long enough");
    } catch (const std::exception& e) {
      c.problems.push_back(std::string(a.jwt_secret_file.empty() ? "--data-dir" : "--jwt-secret-file") + ": " + e.what());
    }
  } else {
    detail += ", no jwt-secret.key yet (created at start)";
  }
  c.checked.push_back("data dir " + a.data_dir.string() + ": " + detail);
}

void check_web_root(ConfigCheck& c, const ServerOptions& o) {
  // A missing web client is a warning at start too: the API and the WebSocket still work.
  const fs::path root = o.server.web_root.dir;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    c.warnings.push_back("--web-root " + root.string() + " is not a directory: the web client is not served");
  else if (!fs::is_regular_file(root / "index.html", ec))
    c.warnings.push_back("no index.html in --web-root " + root.string() + ": the web client is not served");
  else
    c.checked.push_back("web root " + root.string() + ": index.html present");
}

void check_management_socket(ConfigCheck& c, const ServerOptions& o) {
  if (o.management_listen.empty()) {
    c.checked.push_back("management socket: disabled");
    return;
  }
  const fs::path socket = o.management_listen;
  ConfigCheck here;
  if (socket.string().size() >= sizeof(sockaddr_un::sun_path))
    here.problems.push_back("--management-listen " + socket.string() + " is longer than a unix socket path may be (" +
                            std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)");
  std::error_code ec;
  const auto status = fs::symlink_status(socket, ec);
  if (fs::exists(status) && status.type() != fs::file_type::socket)
    here.problems.push_back("--management-listen " + socket.string() + " exists and is not a socket (the server never replaces it)");
  const fs::path parent = socket.has_parent_path() ? socket.parent_path() : fs::path(".");
  const auto found = creatable_dir(here, "--management-listen directory", parent);
  if (here.problems.empty()) {
    c.checked.push_back("management socket " + socket.string() + ": directory " + found +
                        (fs::exists(status) ? ", an old socket there is replaced at start" : ""));
  } else if (o.management_listen_default) {
    // As at start: the built-in default that cannot be used leaves the management API off.
    for (auto& p : here.problems) c.warnings.push_back(p + ": the management API will be disabled");
  } else {
    for (auto& p : here.problems) c.problems.push_back(std::move(p));
  }
}

}  // namespace

void check_readable_file(ConfigCheck& c, const std::string& what, const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    c.problems.push_back(what + " " + file.string() + ": " + (fs::exists(file, ec) ? "not a regular file" : "no such file"));
  else if (auto why = access_problem(file, R_OK); !why.empty())
    c.problems.push_back(what + " " + file.string() + ": not readable: " + why);
  else if (fs::file_size(file, ec) == 0)
    c.problems.push_back(what + " " + file.string() + ": empty");
  else
    c.checked.push_back(what + " " + file.string() + ": readable");
}

ConfigCheck check_config_files(const ServerOptions& o) {
  ConfigCheck c;
  c.checked.push_back("flags, environment and " + (o.env_file.empty() ? std::string("no .env file") : "env file " + o.env_file));
  c.checked.push_back("listen " + o.server.listen_address + ":" + std::to_string(o.server.listen_port) +
                      (o.server.tls ? " (https)" : " (http)") + " (not bound by the check)");
  if (o.server.tls) c.checked.push_back("TLS certificate and key: " + o.server.tls->describe());
  check_data_dir(c, o);
  check_web_root(c, o);
  check_management_socket(c, o);
  // The TURN secret file was read by the options' parse already (missing or empty: exit 2 there).
  if (o.turn)
    c.checked.push_back("TURN: --turn-secret-file read, " + std::to_string(o.turn->urls.size()) +
                        " --turn-url, credentials valid " + std::to_string(o.turn->ttl.count()) + " s");
  if (o.accounts.kioubit) check_readable_file(c, "--kioubit-login-pubkey", o.accounts.kioubit->public_key_file);
  return c;
}

int print_config_check(const ConfigCheck& c, std::ostream& out, std::ostream& err) {
  for (const auto& line : c.checked) out << "checked: " << line << "\n";
  for (const auto& line : c.warnings) out << "warning: " << line << "\n";
  for (const auto& line : c.problems) err << "parley-server: " << line << "\n";
  if (!c.problems.empty()) {
    err << "configuration has " << c.problems.size() << " problem(s)\n";
    return 2;
  }
  out << "configuration OK\n";
  return 0;
}

}  // namespace parley::app
