// The web client's Content-Security-Policy and the other security headers, built from the
// configured servers: strict by default, and no configured URL can add a directive or a source.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "transport/security_headers.hpp"

using namespace parley::transport;

namespace {

// directive name -> its source list, split the way a browser does (';' then whitespace).
std::map<std::string, std::vector<std::string>> directives(const std::string& policy) {
  std::map<std::string, std::vector<std::string>> out;
  std::size_t pos = 0;
  while (pos <= policy.size()) {
    auto end = policy.find(';', pos);
    if (end == std::string::npos) end = policy.size();
    std::vector<std::string> words;
    std::string word;
    for (char c : policy.substr(pos, end - pos)) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
      } else {
        word += c;
      }
    }
    if (!word.empty()) words.push_back(std::move(word));
    if (!words.empty()) {
      EXPECT_FALSE(out.contains(words.front())) << "directive repeated: " << words.front();
      out[words.front()] = std::vector<std::string>(words.begin() + 1, words.end());
    }
    pos = end + 1;
  }
  return out;
}

using Sources = std::vector<std::string>;
const std::vector<std::string> kDirectives{"default-src", "script-src", "style-src", "img-src",  "media-src",
                                           "connect-src", "worker-src", "object-src", "base-uri", "form-action",
                                           "frame-ancestors"};

std::string header(const std::vector<HeaderField>& fields, const std::string& name) {
  for (const auto& f : fields)
    if (f.name == name) return f.value;
  return "<absent>";
}

}  // namespace

TEST(SecurityHeaders, DefaultPolicyIsStrict) {
  const auto d = directives(content_security_policy({}));
  std::vector<std::string> names;
  for (const auto& [name, _] : d) names.push_back(name);
  auto expected = kDirectives;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
  EXPECT_EQ(d.at("default-src"), Sources{"'none'"});
  EXPECT_EQ(d.at("script-src"), (Sources{"'self'", "'wasm-unsafe-eval'"}));  // no 'unsafe-inline', no 'unsafe-eval'
  EXPECT_EQ(d.at("style-src"), (Sources{"'self'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"}));
  EXPECT_EQ(d.at("img-src"), (Sources{"'self'", "data:", "blob:"}));
  EXPECT_EQ(d.at("media-src"), Sources{"blob:"});
  EXPECT_EQ(d.at("connect-src"), Sources{"'self'"});
  EXPECT_EQ(d.at("worker-src"), Sources{"'self'"});
  EXPECT_EQ(d.at("object-src"), Sources{"'none'"});
  EXPECT_EQ(d.at("base-uri"), Sources{"'none'"});
  EXPECT_EQ(d.at("form-action"), Sources{"'self'"});
  EXPECT_EQ(d.at("frame-ancestors"), Sources{"'none'"});
  for (const auto& [name, sources] : d)
    for (const auto& s : sources) EXPECT_TRUE(s != "*" && s != "'unsafe-inline'" && s != "'unsafe-eval'") << name << " " << s;
}

TEST(SecurityHeaders, ConfiguredServersAddTheirHttpAndWsOrigins) {
  const auto servers = server_origins({"/api/ws", "", "wss://Chat.Example.com/api/ws", "https://chat.example.com/api",
                                       "http://10.0.0.7:3001/api", "ws://[::1]:8080/ws", "https://turn.example.org:443/creds?x=1"});
  EXPECT_TRUE(servers.skipped.empty());
  EXPECT_EQ(servers.http, (Sources{"https://chat.example.com", "http://10.0.0.7:3001", "http://[::1]:8080", "https://turn.example.org"}));
  EXPECT_EQ(servers.ws, (Sources{"wss://chat.example.com", "ws://10.0.0.7:3001", "ws://[::1]:8080", "wss://turn.example.org"}));
  const auto d = directives(content_security_policy(servers));
  EXPECT_EQ(d.at("connect-src"),
            (Sources{"'self'", "https://chat.example.com", "http://10.0.0.7:3001", "http://[::1]:8080", "https://turn.example.org",
                     "wss://chat.example.com", "ws://10.0.0.7:3001", "ws://[::1]:8080", "wss://turn.example.org"}));
  // Avatars come from a server's apiPrefix: its http(s) origin may serve images, nothing else.
  EXPECT_EQ(d.at("img-src"), (Sources{"'self'", "data:", "blob:", "https://chat.example.com", "http://10.0.0.7:3001",
                                      "http://[::1]:8080", "https://turn.example.org"}));
  EXPECT_EQ(d.at("script-src"), (Sources{"'self'", "'wasm-unsafe-eval'"}));
  EXPECT_EQ(d.at("frame-ancestors"), Sources{"'none'"});
}

TEST(SecurityHeaders, HostileServerUrlsCannotInjectDirectivesOrSources) {
  const std::vector<std::string> hostile{
      "https://a.example; script-src 'unsafe-inline'",
      "https://a.example;script-src:*",
      "https://a.example/;frame-ancestors *",
      "https://a.example/x'unsafe-eval'",
      "https://a.example/\"",
      "https://evil.example/ws\nscript-src *",
      "https://evil.example\r\nX-Injected: 1",
      "wss://evil.example/ws\tdata:",
      "https://evil example",
      "https://*.example.com",
      "https://*",
      "https://user:pw@evil.example",
      "https://evil.example:0",
      "https://evil.example:65536",
      "https://evil.example:80x",
      "https://evil.example:",
      "https://evil.example,https://other.example",
      "https://ev\xc3\xadl.example",
      "https://evil.example\\@good.example",
      "https://%65vil.example",
      "https://[::1",
      "https://[::g]",
      "https://-evil.example",
      "https://",
      "javascript:alert(1)",
      "data:text/html,x",
      "ftp://files.example",
      "evil.example",
      std::string("https://evil.example\0;x", 23),
  };
  const auto servers = server_origins(hostile);
  EXPECT_EQ(servers.skipped.size(), hostile.size());
  EXPECT_TRUE(servers.http.empty());
  EXPECT_TRUE(servers.ws.empty());
  const auto policy = content_security_policy(servers);
  EXPECT_EQ(policy, content_security_policy({}));
  // A good URL among the hostile ones still counts, and only its origin is used.
  auto mixed = hostile;
  mixed.push_back("wss://good.example/api/ws?token=';script-src");  // hostile query: the whole URL is refused
  mixed.push_back("wss://good.example/api/ws");
  const auto d = directives(content_security_policy(server_origins(mixed)));
  EXPECT_EQ(d.at("connect-src"), (Sources{"'self'", "https://good.example", "wss://good.example"}));
  EXPECT_EQ(d.size(), kDirectives.size());
}

TEST(SecurityHeaders, UrlsComeFromEachServersJsonEntry) {
  const auto urls = servers_json_urls(R"([
    {"url":"/api/ws","id":"main","apiPrefix":"/api"},
    {"url":"wss://b.example/ws","id":"b","apiPrefix":"https://b.example/api","iceServersEndpoint":"https://turn.example/creds",
     "idp":[{"name":"gh","kind":"github","loginUrl":"https://login.example/"}]},
    {"url":7,"id":"broken"}, "junk"
  ])");
  EXPECT_EQ(urls, (Sources{"/api/ws", "/api", "wss://b.example/ws", "https://b.example/api", "https://turn.example/creds"}));
  EXPECT_TRUE(servers_json_urls("{\"url\":\"https://x.example\"}").empty());
  EXPECT_TRUE(servers_json_urls("not json").empty());
}

TEST(SecurityHeaders, EveryHeaderOfTheStaticFiles) {
  const auto h = default_security_headers();
  EXPECT_EQ(header(h, "Content-Security-Policy"), content_security_policy({}));
  EXPECT_EQ(header(h, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(h, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(h, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(h, "Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(header(h, "Cross-Origin-Resource-Policy"), "same-origin");
  const auto pp = header(h, "Permissions-Policy");
  for (const char* feature : {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"})
    EXPECT_NE(pp.find(feature), std::string::npos) << feature;
  EXPECT_EQ(pp.find("autoplay"), std::string::npos);  // the bot audio player needs it
  EXPECT_EQ(header(h, "Strict-Transport-Security"), "<absent>");
  EXPECT_EQ(header(security_headers("x", true), "Strict-Transport-Security"), "max-age=31536000");
  for (const auto& f : h) EXPECT_EQ(f.value.find_first_of("\r\n"), std::string::npos) << f.name;
}

TEST(SecurityHeaders, SecureContextsAreHttpsOrLoopback) {
  for (const char* host : {"localhost", "LOCALHOST:3001", "app.localhost:80", "127.0.0.1", "127.8.9.10:3001", "[::1]:3001"})
    EXPECT_TRUE(potentially_trustworthy(host, "", false)) << host;
  for (const char* host : {"parley.lan:3001", "192.168.1.10:3001", "127.0.0.1.evil.example", "localhost.evil.example",
                           "[::2]", "", "127.0.0.1x"})
    EXPECT_FALSE(potentially_trustworthy(host, "", false)) << host;
  EXPECT_TRUE(potentially_trustworthy("parley.lan", "HTTPS", false));
  EXPECT_TRUE(potentially_trustworthy("parley.lan", "", true));
  EXPECT_FALSE(potentially_trustworthy("parley.lan", "http", false));
  EXPECT_TRUE(secure_context_only("cross-origin-opener-policy"));
  EXPECT_FALSE(secure_context_only("Content-Security-Policy"));
}
