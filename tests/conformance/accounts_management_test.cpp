// The management API on its unix socket (PROTOCOL.md §5) and the `parley-server bots ...` command
// line in front of it: socket permissions, refusal of bad input with clear errors, and a bot's
// life from add to delete, whose WebSockets are then closed with 1008.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "accounts_support.hpp"

using namespace parley::conformance;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }
std::string err_of(const HttpResult& r) { return str(json::parse(r.body).at("err")); }

class Management : public ::testing::Test {
protected:
  TempDir dir;
  ServerProcess server{account_args(dir)};
  fs::path sock = socket_path(dir);

  CliResult bots(std::vector<std::string> words) {
    words.insert(words.begin(), {"bots", "--management-listen", sock.string()});
    return run_server_cli(words);
  }
};

}  // namespace

TEST_F(Management, SocketIsOnlyForTheOwner) {
  struct stat st{};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
  ASSERT_EQ(::stat(sock.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u) << "the missing parent directory is created 0750";
  ASSERT_EQ(::stat((dir.path / "data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "the data directory is private";
  ASSERT_EQ(::stat((dir.path / "data" / "jwt-secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(Management, RefusesBadInputWithClearErrorsAndKeepsServing) {
  auto bad_json = management(sock, "POST", "/bots/add", "application/json", "{\"username\":");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(err_of(bad_json).rfind("invalid JSON body: ", 0), 0u) << bad_json.body;
  auto not_object = management(sock, "POST", "/bots/add", "application/json", "[1,2]");
  EXPECT_EQ(not_object.status, 400);
  EXPECT_EQ(err_of(not_object).rfind("invalid JSON body: ", 0), 0u);
  auto no_name = management(sock, "POST", "/bots/add", "", "{}");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_EQ(err_of(no_name), "username is required");
  for (const std::string& name : std::vector<std::string>{"bad name", "-dash_first", "emoji\xf0\x9f\x98\x80", std::string(65, 'a'), "a/b"}) {
    auto r = management(sock, "POST", "/bots/add", "application/json", json::serialize(json::object{{"username", name}}));
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_EQ(err_of(r).rfind("invalid username: ", 0), 0u) << r.body;
  }
  auto control = management(sock, "POST", "/bots/add", "application/json",
                            json::serialize(json::object{{"username", "ok_bot"}, {"display_name", "bell\x07"}}));
  EXPECT_EQ(control.status, 400);
  EXPECT_EQ(err_of(control).rfind("invalid display_name: ", 0), 0u) << control.body;
  auto http_avatar = management(sock, "POST", "/bots/add", "application/json",
                                R"({"username":"ok_bot","avatar_url":"http://example.com/a.png"})");
  EXPECT_EQ(http_avatar.status, 400);
  EXPECT_EQ(err_of(http_avatar).rfind("invalid avatar_url: ", 0), 0u);
  auto form = management(sock, "POST", "/bots/add", "application/x-www-form-urlencoded", "username=ok_bot");
  EXPECT_EQ(form.status, 400);
  EXPECT_EQ(err_of(form), "unsupported content type: application/x-www-form-urlencoded");

  // Larger than 2 MiB: refused before it is read, and the client still gets the answer.
  auto big = management(sock, "POST", "/bots/add", "application/json",
                        "{\"username\":\"big\",\"avatar_url\":\"" + std::string(3 * 1024 * 1024, 'A') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(err_of(big), "request body too large");

  auto unknown = management(sock, "GET", "/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(err_of(unknown), "no handlers matched the request.");
  auto wrong_method = management(sock, "GET", "/bots/add");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_FALSE(wrong_method.header("allow").empty());
  auto missing = management(sock, "POST", "/bots/token", "application/json", R"({"username":"ghost"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(err_of(missing), "no such bot");
  auto garbage = management_raw(sock, "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);

  // Still serving, nothing was created, and multipart (as in the provisioning scripts) works.
  const std::string boundary = "----parley";
  const std::string multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nform_bot\r\n--" +
                                boundary + "\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nForm Bot\r\n--" +
                                boundary + "\r\nContent-Disposition: form-data; name=\"avatar_url\"\r\n\r\n" +
                                tiny_png_data_url() + "\r\n--" + boundary + "--\r\n";
  auto added = management(sock, "POST", "/bots/add", "multipart/form-data; boundary=" + boundary, multipart);
  ASSERT_EQ(added.status, 200) << added.body;
  auto list = management(sock, "GET", "/bots");
  ASSERT_EQ(list.status, 200);
  auto bots = json::parse(list.body).at("bots").as_array();
  ASSERT_EQ(bots.size(), 1u);
  EXPECT_EQ(str(bots[0].at("username")), "form_bot");
  EXPECT_EQ(str(bots[0].at("display_name")), "Form Bot");
  EXPECT_TRUE(bots[0].at("has_avatar").as_bool());
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
}

TEST_F(Management, AddIsIdempotentForBotsAndEveryTokenWorks) {
  const auto first = add_bot(sock, "music_bot", "MusicBot");
  const auto second = add_bot(sock, "music_bot", "MusicBot 2");
  ASSERT_FALSE(first.empty());
  EXPECT_NE(first, second);
  for (const auto& token : {first, second}) {
    auto ws = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(ws->register_as(""), ws->register_as("")) << "same node, registered twice";
    auto c = json::parse(http_request(server.port(), "GET", "/conns").body).as_object();
    bool found = false;
    for (const auto& [id, e] : c) found |= str(e.at("node_name")) == "music_bot" && str(e.at("authentication")) == "jwt";
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(str(json::parse(http_request(server.port(), "GET", "/api/profile?username=music_bot").body).at("displayName")),
            "MusicBot 2");
}

TEST_F(Management, CliAddListTokenDeleteEndToEnd) {
  const fs::path png = dir.path / "bot.png";
  std::ofstream(png, std::ios::binary) << tiny_png();

  auto add = bots({"add", "chat_bot", "--display-name", "ChatBot", "--avatar-file", png.string()});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_EQ(add.out.back(), '\n');
  const std::string token = add.out.substr(0, add.out.size() - 1);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << "the bare JWT, for TOKEN=$(...)";
  EXPECT_EQ(http_request(server.port(), "GET", "/api/profile/avatar?username=chat_bot").body, tiny_png());

  auto list = bots({"list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out, "chat_bot\tChatBot\tavatar\n");

  auto renewed = bots({"token", "chat_bot"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  const std::string token2 = renewed.out.substr(0, renewed.out.size() - 1);
  EXPECT_NE(token2, token);

  auto a = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + token}});
  auto b = WsClient::connect(server.port(), "/ws", {{"Authorization", "Bearer " + token2}});
  auto visitor = WsClient::connect(server.port());
  a->register_as("");
  b->register_as("");
  visitor->register_as("visitor");

  auto del = bots({"delete", "chat_bot"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(del.out, "deleted chat_bot\n");
  EXPECT_EQ(a->wait_closed(3s), 1008) << "a deleted bot's WebSockets are closed";
  EXPECT_EQ(b->wait_closed(3s), 1008);
  EXPECT_TRUE(visitor->next_with_key("offline")) << "others see the bot go";
  EXPECT_TRUE(visitor->is_open());

  auto again = bots({"delete", "chat_bot"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "error: no such bot (HTTP 404)\n");
  EXPECT_EQ(bots({"list"}).out, "");
  // The name is free again.
  EXPECT_EQ(bots({"add", "chat_bot"}).exit_code, 0);
}

TEST_F(Management, CliRefusesBadUsageAndExplainsAMissingSocket) {
  auto usage = bots({"frobnicate"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("unknown command: frobnicate"), std::string::npos);
  EXPECT_NE(usage.err.find("usage: parley-server bots"), std::string::npos);
  EXPECT_EQ(bots({"add"}).exit_code, 2);
  EXPECT_EQ(bots({"add", "x", "--avatar-file", (dir.path / "missing.png").string()}).exit_code, 2);
  auto bad_name = bots({"add", "bad name"});
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_EQ(bad_name.err.rfind("error: invalid username: ", 0), 0u) << bad_name.err;

  auto nowhere = run_server_cli({"bots", "--management-listen", (dir.path / "nope.sock").string(), "list"});
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.err.find("cannot connect to the management socket"), std::string::npos) << nowhere.err;
}

TEST_F(Management, StartupRefusesAnotherFileOrALiveServerAtTheSocketPath) {
  // A second server on the same socket must not steal it.
  auto second = run_server_cli({"--listen", "127.0.0.1:0", "--env-file", "", "--data-dir", (dir.path / "data2").string(),
                                "--management-listen", sock.string(), "--log-level", "error"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE((second.out + second.err).find("already listening"), std::string::npos) << second.out << second.err;
  EXPECT_EQ(management(sock, "GET", "/bots").status, 200) << "the first server still owns the socket";

  const fs::path file = dir.path / "not-a-socket";
  std::ofstream(file) << "precious";
  auto refused = run_server_cli({"--listen", "127.0.0.1:0", "--env-file", "", "--data-dir", (dir.path / "data3").string(),
                                 "--management-listen", file.string(), "--log-level", "error"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE((refused.out + refused.err).find(file.string()), std::string::npos) << refused.out << refused.err;
  EXPECT_EQ(read_file(file), "precious") << "never deleted";
}

TEST_F(Management, CliFlagsMayComeBeforeOrAfterTheCommandWord) {
  add_bot(sock, "echo_bot");
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"--management-listen", sock.string(), "bots", "list"},
           {"--management-listen=" + sock.string(), "bots", "list"},
           {"bots", "--management-listen", sock.string(), "list"}}) {
    auto r = run_server_cli(words);
    EXPECT_EQ(r.exit_code, 0) << words[0] << ": " << r.err;
    EXPECT_NE(r.out.find("echo_bot"), std::string::npos) << r.out;
  }
  // The same for `jwt rotate`, whose flags name the key.
  const auto key = dir.path / "other.key";
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"--jwt-secret-file", key.string(), "jwt", "rotate"}, {"jwt", "rotate", "--jwt-secret-file", key.string()}}) {
    fs::remove(key);
    auto r = run_server_cli(words);
    EXPECT_EQ(r.exit_code, 0) << words[0] << ": " << r.err;
    EXPECT_EQ(fs::file_size(key), 64u);
  }
  EXPECT_EQ(run_server_cli({"--management-listen", sock.string(), "bots"}).exit_code, 2) << "no bots command";
}
