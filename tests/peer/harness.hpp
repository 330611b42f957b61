// Test harness for the peer layer: one event loop thread (the executor), in-process signalling
// between two connections, and small waiting helpers. Uses only the public peer API.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "peer/factory.hpp"

namespace parley::peer::test {

class Loop {
 public:
  Loop() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Loop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  Executor executor() {
    return [this](std::function<void()> task) { boost::asio::post(io_, std::move(task)); };
  }
  // Runs f on the loop and waits for its result.
  template <class F>
  auto run(F&& f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::forward<F>(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Waits until pred() holds (checked on every notify and every 10 ms).
class Waiter {
 public:
  template <class Pred>
  bool wait_for(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock lock(mutex_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
    return true;
  }
  void notify() { cv_.notify_all(); }
  std::mutex& mutex() { return mutex_; }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
};

// Polls pred (which may itself wait on the loop) every 10 ms; no lock held.
template <class Pred>
bool poll_until(std::chrono::milliseconds timeout, Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

inline int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

// Two connections wired to each other through in-process signalling on the loop.
// `a` offers (like a web client), `b` answers (like a bot).
struct Pair {
  std::shared_ptr<PeerConnection> a, b;
  std::shared_ptr<DataChannel> a_chat;             // created by a
  std::shared_ptr<DataChannel> b_chat;             // received by b
  std::vector<std::shared_ptr<DataChannel>> b_extra;  // later channels b received
  std::vector<std::shared_ptr<DataChannel>> a_extra;  // channels a received
  ConnectionState a_state = ConnectionState::New, b_state = ConnectionState::New;
  std::vector<AudioFrame> a_audio;  // decoded audio a received
  std::vector<SessionDescription> a_descriptions, b_descriptions;
  std::vector<std::string> a_candidates, b_candidates;
};

inline PeerCallbacks callbacks_for(std::weak_ptr<Pair> weak, bool side_a, Waiter& waiter) {
  PeerCallbacks cb;
  cb.on_local_description = [weak, side_a, &waiter](const SessionDescription& d) {
    auto pair = weak.lock();
    if (!pair) return;
    {
      std::lock_guard lock(waiter.mutex());
      (side_a ? pair->a_descriptions : pair->b_descriptions).push_back(d);
    }
    auto other = side_a ? pair->b : pair->a;
    if (other) other->set_remote_description(d);
    waiter.notify();
  };
  cb.on_local_candidate = [weak, side_a, &waiter](const IceCandidate& c) {
    if (auto pair = weak.lock()) {
      {
        std::lock_guard lock(waiter.mutex());
        (side_a ? pair->a_candidates : pair->b_candidates).push_back(c.candidate);
      }
      auto other = side_a ? pair->b : pair->a;
      if (other) other->add_remote_candidate(c);
    }
  };
  cb.on_state = [weak, side_a, &waiter](ConnectionState s) {
    if (auto pair = weak.lock()) {
      std::lock_guard lock(waiter.mutex());
      (side_a ? pair->a_state : pair->b_state) = s;
    }
    waiter.notify();
  };
  cb.on_data_channel = [weak, side_a, &waiter](std::shared_ptr<DataChannel> ch) {
    if (auto pair = weak.lock()) {
      std::lock_guard lock(waiter.mutex());
      if (side_a)
        pair->a_extra.push_back(ch);
      else if (!pair->b_chat && ch->label() == "chat")
        pair->b_chat = ch;
      else
        pair->b_extra.push_back(ch);
    }
    waiter.notify();
  };
  cb.on_remote_audio = [weak, side_a, &waiter](AudioFrame&& f) {
    if (auto pair = weak.lock(); pair && side_a) {
      std::lock_guard lock(waiter.mutex());
      pair->a_audio.push_back(std::move(f));
    }
    waiter.notify();
  };
  return cb;
}

// Creates a pair, a's "chat" channel and a's offer; waits until both ends of "chat" are open.
inline std::shared_ptr<Pair> connect_pair(Factory& factory, Loop& loop, Waiter& waiter, PeerConfig config = {}) {
  auto pair = std::make_shared<Pair>();
  auto opened = std::make_shared<int>(0);
  loop.run([&] {
    pair->a = factory.create(config, callbacks_for(pair, true, waiter));
    pair->b = factory.create(config, callbacks_for(pair, false, waiter));
    pair->a_chat = pair->a->create_data_channel("chat");
    pair->a_chat->on_open([opened, &waiter] {
      ++*opened;
      waiter.notify();
    });
    pair->a->offer();
    return 0;
  });
  bool ok = waiter.wait_for(std::chrono::seconds(10), [&] { return *opened > 0 && pair->b_chat != nullptr; });
  if (!ok) return nullptr;
  // b's end opens with a's (in-band negotiation); its state is checked on the loop.
  bool b_open = poll_until(std::chrono::seconds(5), [&] {
    return loop.run([&] { return pair->b_chat->state() == ChannelState::Open; });
  });
  return b_open ? pair : nullptr;
}

}  // namespace parley::peer::test
