#include "bots/llm_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "bots/curl_options.hpp"

namespace parley::bots {
namespace json = boost::json;
namespace {

constexpr size_t kMaxBody = 4 << 20;  // a reply larger than this is an error, not a memory sink

struct Transfer {
  LlmClient* client;
  boost::asio::io_context* io;
  bool stream;
  std::string body;
  SseParser sse;
  std::string streamed;
  std::function<void(std::string)> on_delta;
  const std::vector<std::string>* cas;
  bool too_big = false;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->body.size() + len > kMaxBody) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, len);
  if (t->stream) {
    std::vector<std::string> deltas;
    t->sse.feed(std::string_view(data, len), deltas);
    for (auto& d : deltas) {
      t->streamed += d;
      if (t->on_delta) boost::asio::post(*t->io, [cb = t->on_delta, d = std::move(d)]() mutable { cb(std::move(d)); });
    }
  }
  return len;
}

}  // namespace

LlmResult parse_completion(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return {false, {}, "response is not a JSON object"};
  LlmResult r{true, {}, {}};
  const auto& o = v.get_object();
  auto choices = o.find("choices");
  if (choices == o.end() || !choices->value().is_array() || choices->value().get_array().empty()) return r;
  const auto& first = choices->value().get_array()[0];
  if (!first.is_object()) return r;
  auto message = first.get_object().find("message");
  if (message == first.get_object().end() || !message->value().is_object()) return r;
  auto content = message->value().get_object().find("content");
  if (content != message->value().get_object().end() && content->value().is_string())
    r.text = std::string(content->value().get_string());
  return r;
}

bool SseParser::feed(std::string_view bytes, std::vector<std::string>& deltas) {
  buffer_.append(bytes);
  if (buffer_.size() > kMaxBody) {
    bad_ = true;
    buffer_.clear();
    return false;
  }
  size_t pos;
  while (!done_ && (pos = buffer_.find('\n')) != std::string::npos) {
    std::string line = buffer_.substr(0, pos);
    buffer_.erase(0, pos + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("data:", 0) != 0) continue;  // comments, event names, blank separators
    std::string data = line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
    if (data == "[DONE]") {
      done_ = true;
      break;
    }
    json::error_code ec;
    auto v = json::parse(data, ec);
    if (ec || !v.is_object()) continue;
    auto* choices = v.get_object().if_contains("choices");
    if (!choices || !choices->is_array() || choices->get_array().empty() || !choices->get_array()[0].is_object()) continue;
    auto* delta = choices->get_array()[0].get_object().if_contains("delta");
    if (!delta || !delta->is_object()) continue;
    auto* content = delta->get_object().if_contains("content");
    if (content && content->is_string() && !content->get_string().empty()) deltas.emplace_back(content->get_string());
  }
  return !done_;
}

LlmClient::LlmClient(boost::asio::io_context& io, LlmConfig config) : io_(io), config_(std::move(config)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (int i = 0; i < config_.workers; ++i) threads_.emplace_back([this] { work(); });
}

LlmClient::~LlmClient() { stop(); }

void LlmClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::string LlmClient::request_body(const std::vector<LlmTurn>& messages) const {
  json::array list;
  for (const auto& m : messages) list.push_back(json::object{{"role", m.role}, {"content", m.content}});
  json::object body{{"model", config_.model}, {"messages", std::move(list)}};
  if (config_.reasoning_member) body["reasoning"] = json::object{{"enabled", false}};
  if (config_.stream) body["stream"] = true;
  return json::serialize(body);
}

void LlmClient::complete(std::vector<LlmTurn> messages, std::function<void(std::string)> on_delta,
                         std::function<void(LlmResult)> done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back({std::move(messages), std::move(on_delta), std::move(done)});
  }
  cv_.notify_one();
}

void LlmClient::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    auto result = perform(job);
    boost::asio::post(io_, [done = std::move(job.done), result = std::move(result)]() mutable { done(std::move(result)); });
  }
}

LlmResult LlmClient::perform(Job& job) {
  CURL* curl = curl_easy_init();
  if (!curl) return {false, {}, "curl_easy_init failed"};
  Transfer t{this, &io_, config_.stream, {}, {}, {}, job.on_delta, &config_.custom_ca_files};
  std::string url = config_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/chat/completions";
  std::string body = request_body(job.messages);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!config_.api_key.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + config_.api_key).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long>(10000, config_.timeout.count())));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "parley-bots");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  use_custom_cas(curl, config_.custom_ca_files);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  auto excerpt = t.body.substr(0, 300);
  if (rc != CURLE_OK)
    return {false, {}, t.too_big ? "response too large" : std::string(curl_easy_strerror(rc))};
  if (status < 200 || status > 299) return {false, {}, "HTTP " + std::to_string(status) + ": " + excerpt};
  if (config_.stream) {
    if (t.sse.bad()) return {false, {}, "bad event stream"};
    return {true, t.streamed, {}};
  }
  auto r = parse_completion(t.body);
  if (!r.ok) r.detail += ": " + excerpt;
  return r;
}

}  // namespace parley::bots
