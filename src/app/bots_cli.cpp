#include "app/bots_cli.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "accounts/avatar.hpp"
#include "accounts/base64.hpp"
#include "accounts/http/http_types.hpp"
#include "accounts/text_rules.hpp"

namespace parley::app {
using namespace parley::accounts;  // avatar checks, base64, URL encoding

namespace json = boost::json;

std::string bots_cli_usage() {
  return "usage: parley-server bots [--management-listen PATH] <command>\n"
         "  list                                   list bot accounts\n"
         "  add <username> [--display-name NAME] [--avatar-url URL | --avatar-file FILE]\n"
         "                                         create or update a bot; prints a new token\n"
         "  token <username>                       print a new token for a bot\n"
         "  delete <username>                      delete a bot (its tokens stop working)\n";
}

std::string sniff_image_type(std::string_view b) {
  if (b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.substr(0, 3) == "\xff\xd8\xff") return "image/jpeg";
  if (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a") return "image/gif";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return {};
}

namespace {

BotsCliParsed fail(std::string e) { return BotsCliParsed{std::nullopt, std::move(e)}; }

BotsCliRequest json_post(std::string target, const json::object& body) {
  return BotsCliRequest{"POST", std::move(target), "application/json", json::serialize(body)};
}

std::optional<std::string> read_avatar_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.size() > kMaxAvatarBytes) {
    error = path + " is larger than 1 MiB";
    return std::nullopt;
  }
  if (is_data_url(bytes)) return std::string(trim_ascii_space(bytes));
  const std::string type = sniff_image_type(bytes);
  if (type.empty()) {
    error = path + " is not a PNG, JPEG, WebP or GIF image, nor a data URL";
    return std::nullopt;
  }
  return "data:" + type + ";base64," + base64_encode(bytes);
}

}  // namespace

BotsCliParsed parse_bots_cli(const std::vector<std::string>& args) {
  if (args.empty()) return fail("missing command");
  const std::string& cmd = args[0];
  if (cmd == "list") {
    if (args.size() != 1) return fail("list takes no arguments");
    return BotsCliParsed{BotsCliRequest{"GET", "/bots", "", ""}, {}};
  }
  if (cmd != "add" && cmd != "token" && cmd != "delete") return fail("unknown command: " + cmd);
  if (args.size() < 2 || args[1].empty() || args[1][0] == '-') return fail(cmd + " needs a username");
  const std::string& username = args[1];
  if (cmd == "token" || cmd == "delete") {
    if (args.size() != 2) return fail(cmd + " takes only a username");
    if (cmd == "token") return BotsCliParsed{json_post("/bots/token", {{"username", username}}), {}};
    return BotsCliParsed{BotsCliRequest{"DELETE", "/bots/delete?username=" + url_encode(username), "", ""}, {}};
  }
  json::object body{{"username", username}};
  for (std::size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return fail("missing value for " + args[i]);
    const std::string& value = args[i + 1];
    if (args[i] == "--display-name") {
      body["display_name"] = value;
    } else if (args[i] == "--avatar-url") {
      if (body.contains("avatar_url")) return fail("give either --avatar-url or --avatar-file");
      body["avatar_url"] = value;
    } else if (args[i] == "--avatar-file") {
      if (body.contains("avatar_url")) return fail("give either --avatar-url or --avatar-file");
      std::string error;
      auto url = read_avatar_file(value, error);
      if (!url) return fail(error);
      body["avatar_url"] = *url;
    } else {
      return fail("unknown option: " + args[i]);
    }
  }
  return BotsCliParsed{json_post("/bots/add", body), {}};
}

BotsCliOutput format_bots_cli_reply(const BotsCliRequest& request, unsigned status, std::string_view body) {
  BotsCliOutput out;
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  if (status != 200 || !o) {
    std::string message(body.substr(0, 200));
    if (o && o->contains("err") && o->at("err").is_string()) message = std::string(o->at("err").as_string());
    out.exit_code = 1;
    out.err = "error: " + message + " (HTTP " + std::to_string(status) + ")\n";
    return out;
  }
  if (const auto* token = o->if_contains("token"); token && token->is_string()) {
    out.out = std::string(token->as_string()) + "\n";
  } else if (const auto* deleted = o->if_contains("deleted"); deleted && deleted->is_string()) {
    out.out = "deleted " + std::string(deleted->as_string()) + "\n";
  } else if (const auto* bots = o->if_contains("bots"); bots && bots->is_array()) {
    for (const auto& b : bots->as_array()) {
      if (!b.is_object()) continue;
      const auto& bo = b.as_object();
      auto text = [&bo](std::string_view k) {
        const auto* f = bo.if_contains(k);
        return f && f->is_string() ? std::string(f->as_string()) : std::string{};
      };
      const auto* avatar = bo.if_contains("has_avatar");
      out.out += text("username") + "\t" + text("display_name") + "\t" +
                 (avatar && avatar->is_bool() && avatar->as_bool() ? "avatar" : "-") + "\n";
    }
  } else {
    out.out = std::string(body) + "\n";
  }
  (void)request;
  return out;
}

}  // namespace parley::app
