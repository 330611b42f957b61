// Calls an OpenAI-compatible chat completions endpoint (PROTOCOL.md §9.6) on worker threads
// with libcurl, so the model never blocks the event loop or a libwebrtc thread. Results and
// streamed deltas are posted back to the event loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::bots {

struct LlmConfig {
  std::string base_url;
  std::string api_key;  // empty: no Authorization header (local servers)
  std::string model;
  std::chrono::milliseconds timeout{60000};
  bool stream = false;
  bool reasoning_member = true;  // send "reasoning":{"enabled":false}
  std::vector<std::string> custom_ca_files;
  int workers = 4;
};

struct LlmTurn {
  std::string role;  // system | user | assistant
  std::string content;
};

struct LlmResult {
  bool ok = false;
  std::string text;    // the reply (may be empty: "no answer")
  std::string detail;  // for the log only: status, body excerpt
};

class LlmClient {
 public:
  LlmClient(boost::asio::io_context& io, LlmConfig config);
  ~LlmClient();
  void stop();

  // Runs the request on a worker. on_delta (streaming only) and done run on the event loop.
  void complete(std::vector<LlmTurn> messages, std::function<void(std::string)> on_delta,
                std::function<void(LlmResult)> done);

  // The request body (exposed for tests).
  std::string request_body(const std::vector<LlmTurn>& messages) const;

 private:
  struct Job {
    std::vector<LlmTurn> messages;
    std::function<void(std::string)> on_delta;
    std::function<void(LlmResult)> done;
  };
  void work();
  LlmResult perform(Job& job);

  boost::asio::io_context& io_;
  LlmConfig config_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Parses a non-streamed body: choices[0].message.content. nullopt-like: ok=false on bad JSON.
LlmResult parse_completion(const std::string& body);

// Server-Sent Events: feed raw bytes, get choices[0].delta.content pieces.
class SseParser {
 public:
  // Appends complete events' deltas to `deltas`; returns false once "[DONE]" was seen.
  bool feed(std::string_view bytes, std::vector<std::string>& deltas);
  bool bad() const { return bad_; }

 private:
  std::string buffer_;
  bool done_ = false;
  bool bad_ = false;
};

}  // namespace parley::bots
