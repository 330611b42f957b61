// Keeps one bot's TURN credentials from parley-server's GET /ice-servers fresh (issue 13): the
// bot's JWT as Bearer, renewed at half their lifetime (ice_credentials.hpp), with back-off on
// failure while the unexpired ones stay in use. One fetcher per bot with a token (each bot has
// its own, and coturn's logs then name the bot); one worker thread each, so at most one request
// per bot is in flight. The requests block in libcurl on that thread, never on the event loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bots/ice_credentials.hpp"
#include "bots/proxy_settings.hpp"

namespace parley::bots {

struct IceFetcherOptions {
  std::string endpoint;  // http(s)://…/ice-servers
  std::string token;     // the bot's JWT; never logged
  std::string bot_name;  // for logs
  std::vector<std::string> custom_ca_files;
  ProxySettings proxy;
  std::chrono::milliseconds timeout{10000};  // the whole request
};

class IceCredentialFetcher {
 public:
  explicit IceCredentialFetcher(IceFetcherOptions options);
  ~IceCredentialFetcher();
  void start();  // the first fetch at once, then the schedule
  void stop();   // aborts a request in flight and joins the worker

  // The fetched entries not yet expired (empty before the first success). Any thread.
  std::vector<peer::IceServer> current() const;

 private:
  enum class Outcome { ok, failed, no_turn };
  void run();
  Outcome fetch_once(std::chrono::seconds& next);
  bool sleep_for(std::chrono::seconds delay);  // false when stopping

  const IceFetcherOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<FetchedIceServer> fetched_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace parley::bots
