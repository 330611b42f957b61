#include "peer/detail/task_pool.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rtc_base/platform_thread.h"

namespace parley::peer::detail {
namespace {

using Clock = std::chrono::steady_clock;
using Task = absl::AnyInvocable<void() &&>;

class Pool;

// The shared state of one queue, guarded by the pool's mutex.
struct Strand {
  webrtc::TaskQueueBase* self = nullptr;
  std::deque<Task> pending;
  bool scheduled = false;  // in the pool's ready list
  bool running = false;    // a worker runs one of its tasks
  bool deleted = false;
};

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void post(const std::shared_ptr<Strand>& s, Task task) {
    std::lock_guard lock(mutex_);
    if (s->deleted) return;  // the task is destroyed by the caller's scope
    s->pending.push_back(std::move(task));
    make_ready(s);
  }

  void post_delayed(const std::shared_ptr<Strand>& s, Task task, Clock::duration delay) {
    std::lock_guard lock(mutex_);
    if (s->deleted) return;
    timers_.push_back({Clock::now() + delay, seq_++, s, std::move(task)});
    std::push_heap(timers_.begin(), timers_.end(), later);
    cv_.notify_one();
  }

  // Stops a queue: pending and delayed tasks are dropped, and a task still running finishes
  // before this returns (as with libwebrtc's own queues).
  void remove(const std::shared_ptr<Strand>& s, bool from_inside) {
    std::deque<Task> dropped;
    std::vector<Timer> dropped_timers;
    {
      std::unique_lock lock(mutex_);
      s->deleted = true;
      dropped.swap(s->pending);
      auto keep = std::partition(timers_.begin(), timers_.end(), [&](const Timer& t) { return t.strand != s; });
      std::move(keep, timers_.end(), std::back_inserter(dropped_timers));
      timers_.erase(keep, timers_.end());
      std::make_heap(timers_.begin(), timers_.end(), later);
      if (!from_inside) idle_.wait(lock, [&] { return !s->running; });
    }
    // Destroyed outside the lock: their destructors may post to other queues.
  }

 private:
  struct Timer {
    Clock::time_point when;
    uint64_t seq;
    std::shared_ptr<Strand> strand;
    Task task;
  };
  static bool later(const Timer& a, const Timer& b) { return a.when != b.when ? a.when > b.when : a.seq > b.seq; }

  void make_ready(const std::shared_ptr<Strand>& s) {
    if (s->scheduled || s->running || s->pending.empty()) return;
    s->scheduled = true;
    ready_.push_back(s);
    cv_.notify_one();
  }

  void work(int index) {
    rtc::SetCurrentThreadName(("pc-tasks-" + std::to_string(index)).c_str());
    std::unique_lock lock(mutex_);
    while (!stop_) {
      // Due timers move to their queues.
      auto now = Clock::now();
      while (!timers_.empty() && timers_.front().when <= now) {
        std::pop_heap(timers_.begin(), timers_.end(), later);
        Timer t = std::move(timers_.back());
        timers_.pop_back();
        if (t.strand->deleted) continue;
        t.strand->pending.push_back(std::move(t.task));
        make_ready(t.strand);
      }
      if (ready_.empty()) {
        if (timers_.empty())
          cv_.wait(lock);
        else
          cv_.wait_until(lock, timers_.front().when);
        continue;
      }
      auto s = std::move(ready_.front());
      ready_.pop_front();
      s->scheduled = false;
      if (s->deleted || s->pending.empty()) continue;
      Task task = std::move(s->pending.front());
      s->pending.pop_front();
      s->running = true;
      lock.unlock();
      {
        // Current() must name the queue while its task runs (libwebrtc checks it everywhere).
        CurrentSetter current(s->self);
        std::move(task)();
        task = nullptr;
      }
      lock.lock();
      s->running = false;
      if (s->deleted)
        idle_.notify_all();
      else
        make_ready(s);  // one task at a time per queue keeps it serial and fair
    }
  }

  // TaskQueueBase::CurrentTaskQueueSetter is protected; a derived helper exposes it.
  class CurrentSetter : public webrtc::TaskQueueBase {
   public:
    explicit CurrentSetter(webrtc::TaskQueueBase* q) : setter_(q) {}
    void Delete() override {}
    void PostTask(Task) override {}
    void PostDelayedTask(Task, webrtc::TimeDelta) override {}
    void PostDelayedHighPrecisionTask(Task, webrtc::TimeDelta) override {}

   private:
    CurrentTaskQueueSetter setter_;
  };

  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable idle_;
  std::deque<std::shared_ptr<Strand>> ready_;
  std::vector<Timer> timers_;
  uint64_t seq_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

class PooledQueue final : public webrtc::TaskQueueBase {
 public:
  explicit PooledQueue(std::shared_ptr<Pool> pool) : pool_(std::move(pool)), strand_(std::make_shared<Strand>()) {
    strand_->self = this;
  }
  void Delete() override {
    pool_->remove(strand_, IsCurrent());
    delete this;
  }
  void PostTask(Task task) override { pool_->post(strand_, std::move(task)); }
  void PostDelayedTask(Task task, webrtc::TimeDelta delay) override { post_delayed(std::move(task), delay); }
  void PostDelayedHighPrecisionTask(Task task, webrtc::TimeDelta delay) override { post_delayed(std::move(task), delay); }

 private:
  void post_delayed(Task task, webrtc::TimeDelta delay) {
    pool_->post_delayed(strand_, std::move(task), std::chrono::microseconds(std::max<int64_t>(0, delay.us())));
  }
  std::shared_ptr<Pool> pool_;
  std::shared_ptr<Strand> strand_;
};

class PooledFactory final : public webrtc::TaskQueueFactory {
 public:
  explicit PooledFactory(int threads) : pool_(std::make_shared<Pool>(threads)) {}
  std::shared_ptr<Pool> pool() const { return pool_; }
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> CreateTaskQueue(absl::string_view,
                                                                                  Priority) const override {
    return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new PooledQueue(pool_));
  }

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace

std::unique_ptr<webrtc::TaskQueueFactory> create_pooled_task_queue_factory(int threads,
                                                                          std::shared_ptr<void>* keep_alive) {
  auto factory = std::make_unique<PooledFactory>(threads);
  if (keep_alive) *keep_alive = factory->pool();
  return factory;
}

}  // namespace parley::peer::detail
