#include "app/server_bots_command.hpp"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/dotenv.hpp"
#include "app/server_options.hpp"
#include "app/bots_cli.hpp"
#include "accounts/jwt_key.hpp"
#include "transport/management_client.hpp"

namespace parley::app {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Takes `--name VALUE` or `--name=VALUE` out of `args`. False if the value is missing.
bool take_flag(std::vector<std::string>& args, const std::string& name, std::string& value) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      if (i + 1 >= args.size()) return false;
      value = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      return true;
    }
    if (args[i].rfind(name + "=", 0) == 0) {
      value = args[i].substr(name.size() + 1);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return true;
}

int bots_command(std::vector<std::string> args) {
  // Only the words before the command are ours: `add x --display-name ...` belongs to the command.
  std::string socket = env_or("PARLEY_MANAGEMENT_LISTEN", kDefaultManagementSocket);
  std::vector<std::string> head;
  while (!args.empty() && args[0].rfind("--management-", 0) == 0) {
    head.push_back(args[0]);
    args.erase(args.begin());
    if (head.back().find('=') == std::string::npos && !args.empty()) {
      head.push_back(args[0]);
      args.erase(args.begin());
    }
  }
  if (!take_flag(head, "--management-listen", socket) || !take_flag(head, "--management-socket", socket) ||
      !head.empty()) {
    std::cerr << "parley-server bots: --management-listen needs a path\n" << app::bots_cli_usage();
    return 2;
  }
  if (socket.empty()) {
    std::cerr << "parley-server bots: the management socket path is empty\n";
    return 2;
  }
  const auto parsed = app::parse_bots_cli(args);
  if (!parsed.request) {
    std::cerr << "parley-server bots: " << parsed.error << "\n" << app::bots_cli_usage();
    return 2;
  }
  const auto& r = *parsed.request;
  try {
    const auto answer = transport::call_management(socket, {r.method, r.target, r.content_type, r.body});
    const auto output = app::format_bots_cli_reply(r, answer.status, answer.body);
    std::cout << output.out;
    std::cerr << output.err;
    return output.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "parley-server bots: " << e.what() << "\n";
    return 1;
  }
}

int jwt_command(std::vector<std::string> args) {
  const char* usage = "usage: parley-server jwt rotate [--data-dir DIR] [--jwt-secret-file FILE]\n";
  std::string data_dir = env_or("PARLEY_DATA_DIR", "./data");
  std::string key_file = env_or("PARLEY_JWT_SECRET_FILE", "");
  const bool flags_ok = take_flag(args, "--data-dir", data_dir) && take_flag(args, "--jwt-secret-file", key_file);
  if (args.empty() || args[0] != "rotate") {
    std::cerr << usage;
    return 2;
  }
  args.erase(args.begin());
  if (!flags_ok || !args.empty()) {
    std::cerr << "parley-server jwt rotate: unexpected arguments\n" << usage;
    return 2;
  }
  const std::filesystem::path file =
      key_file.empty() ? std::filesystem::path(data_dir) / accounts::JwtKey::kDefaultFileName : std::filesystem::path(key_file);
  try {
    accounts::JwtKey::rotate(file);
  } catch (const std::exception& e) {
    std::cerr << "parley-server jwt rotate: " << e.what() << "\n";
    return 1;
  }
  std::cout << "wrote a new JWT key to " << file.string()
            << "; restart parley-server to use it. Every token issued so far stops working:\n"
               "issue new bot tokens with `parley-server bots token <username>`.\n";
  return 0;
}

// The flags an admin command takes, which may also come before its name:
// `parley-server --management-listen P bots list` is `parley-server bots --management-listen P list`.
bool is_admin_flag(const std::string& word) {
  for (const char* flag : {"--management-listen", "--management-socket", "--data-dir", "--jwt-secret-file"})
    if (word == flag || word.rfind(std::string(flag) + "=", 0) == 0) return true;
  return false;
}

}  // namespace

std::optional<int> run_admin_command(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  // Leading admin flags (with their values), then the command word.
  std::size_t i = 0;
  while (i < words.size() && is_admin_flag(words[i])) i += words[i].find('=') == std::string::npos ? 2 : 1;
  if (i >= words.size()) return std::nullopt;
  const std::string& command = words[i];
  if (command != "bots" && command != "jwt") return std::nullopt;
  // The server's .env may name the socket or the data directory.
  if (const auto env = load_dotenv(".env"); !env.error.empty()) std::cerr << "warning: " << env.error << "\n";
  std::vector<std::string> args(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i));
  args.insert(args.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
  return command == "bots" ? bots_command(std::move(args)) : jwt_command(std::move(args));
}

}  // namespace parley::app
