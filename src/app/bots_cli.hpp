#pragma once
// `parley-server bots ...`: turns command-line words into a management API request and its
// answer into output, so the app only has to send the request over the unix socket.
//
//   parley-server bots list
//   parley-server bots add <username> [--display-name N] [--avatar-url U | --avatar-file F]
//   parley-server bots token <username>
//   parley-server bots delete <username>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::app {

struct BotsCliRequest {
  std::string method, target, content_type, body;
};

struct BotsCliParsed {
  std::optional<BotsCliRequest> request;
  std::string error;  // otherwise: what to print (with the usage) before exiting 2
};

std::string bots_cli_usage();

// `args` are the words after "bots". --avatar-file reads an image (PNG, JPEG, WebP, GIF, by
// content) or a file holding a data URL, and sends it as a data URL.
BotsCliParsed parse_bots_cli(const std::vector<std::string>& args);

struct BotsCliOutput {
  int exit_code = 0;
  std::string out;  // stdout: the bare token for add/token (for `TOKEN=$(...)`), a table for list
  std::string err;  // stderr
};
BotsCliOutput format_bots_cli_reply(const BotsCliRequest& request, unsigned status, std::string_view body);

// "image/png" etc. from the first bytes, or "" if not an allowed avatar type.
std::string sniff_image_type(std::string_view bytes);

}  // namespace parley::app
