#include "bots/ice_credential_fetcher.hpp"

#include <curl/curl.h>
#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "bots/curl_options.hpp"
#include "bots/util.hpp"

namespace parley::bots {
namespace {

constexpr size_t kMaxBody = 64 << 10;  // an answer is a few hundred bytes

std::int64_t now_s() { return now_ms() / 1000; }

struct Transfer {
  std::string body;
  std::mutex* mutex;
  const bool* stopping;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->body.size() + size * n > kMaxBody) return 0;  // aborts the transfer
  t->body.append(data, size * n);
  return size * n;
}

// stop() must not wait for the timeout: a non-zero return aborts the transfer.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  std::lock_guard lock(*t->mutex);
  return *t->stopping ? 1 : 0;
}

std::string until_text(std::optional<std::int64_t> expires_s) {
  if (!expires_s) return "an unknown time";
  return fmt::format("{:%Y-%m-%d %H:%M:%S}Z", fmt::gmtime(static_cast<std::time_t>(*expires_s)));
}

}  // namespace

IceCredentialFetcher::IceCredentialFetcher(IceFetcherOptions options) : options_(std::move(options)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference counted; here, before any worker runs
}

IceCredentialFetcher::~IceCredentialFetcher() { stop(); }

void IceCredentialFetcher::start() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { run(); });
}

void IceCredentialFetcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::vector<peer::IceServer> IceCredentialFetcher::current() const {
  std::lock_guard lock(mutex_);
  return unexpired(fetched_, now_s());
}

bool IceCredentialFetcher::sleep_for(std::chrono::seconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void IceCredentialFetcher::run() {
  int failures = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::chrono::seconds next{0};
    const auto outcome = fetch_once(next);
    if (outcome == Outcome::no_turn) return;
    failures = outcome == Outcome::ok ? 0 : failures + 1;
    if (outcome == Outcome::failed) next = retry_delay(failures);
    if (!sleep_for(next)) return;
  }
}

IceCredentialFetcher::Outcome IceCredentialFetcher::fetch_once(std::chrono::seconds& next) {
  const auto& name = options_.bot_name;
  CURL* curl = curl_easy_init();
  if (!curl) return Outcome::failed;
  Transfer t{{}, &mutex_, &stopping_};
  curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + options_.token).c_str());
  curl_slist* proxy_headers = nullptr;
  try {
    proxy_headers = use_proxy(curl, options_.proxy, options_.endpoint);
  } catch (const std::exception& e) {
    spdlog::warn("{}: TURN credentials from {}: {}", name, options_.endpoint, e.what());
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return Outcome::failed;
  }
  curl_easy_setopt(curl, CURLOPT_URL, options_.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "parley-bots");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  use_custom_cas(curl, options_.custom_ca_files);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_slist_free_all(proxy_headers);
  curl_easy_cleanup(curl);

  if (rc != CURLE_OK) {
    spdlog::warn("{}: TURN credentials from {}: {}", name, options_.endpoint, curl_easy_strerror(rc));
    return Outcome::failed;
  }
  if (status == 404) {
    spdlog::info("{}: {} answers 404: the server hands out no TURN credentials; not asking again", name,
                 options_.endpoint);
    return Outcome::no_turn;
  }
  if (status == 401) {
    spdlog::warn("{}: {} refused the bot's token (401): is it valid?", name, options_.endpoint);
    return Outcome::failed;
  }
  if (status != 200) {
    spdlog::warn("{}: TURN credentials from {}: HTTP {}", name, options_.endpoint, status);
    return Outcome::failed;
  }
  auto parsed = parse_ice_servers(t.body);
  if (!parsed || parsed->empty()) {
    spdlog::warn("{}: {} answered without iceServers", name, options_.endpoint);
    return Outcome::failed;
  }
  // The soonest expiry decides the schedule and the log line.
  std::optional<std::int64_t> expires;
  std::string who;
  for (const auto& f : *parsed) {
    if (f.expires_s && (!expires || *f.expires_s < *expires)) expires = f.expires_s;
    if (const auto colon = f.server.username.find(':'); who.empty() && colon != std::string::npos)
      who = f.server.username.substr(colon + 1);
  }
  next = refresh_delay(now_s(), expires);
  spdlog::info("{}: TURN credentials for {} until {} ({} servers; next fetch in {}s)", name, who.empty() ? name : who,
               until_text(expires), parsed->size(), next.count());
  std::lock_guard lock(mutex_);
  fetched_ = std::move(*parsed);
  return Outcome::ok;
}

}  // namespace parley::bots
