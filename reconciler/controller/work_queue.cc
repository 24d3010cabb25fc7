#include "reconciler/controller/work_queue.h"

#include <algorithm>

namespace strata::controller {

void WorkQueue::AddLocked(const std::string& key) {
  if (shut_down_) return;
  if (processing_.count(key) != 0) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  // One deadline per key, the earliest: a key requeued on every pass (a rollout polling) must
  // not pile up timers.
  Clock::time_point due = Clock::now() + delay;
  if (auto it = due_.find(key); it != due_.end()) {
    if (it->second <= due) return;
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  due_[key] = due;
  delayed_.emplace(due, key);
  cv_.notify_all();  // a waiting Get may now have an earlier deadline
}

std::chrono::milliseconds WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mu_);
    int failures = failures_[key]++;
    // base · 2^failures without overflow: stop doubling once past the cap.
    delay = backoff_.base;
    for (int i = 0; i < failures && delay < backoff_.max; ++i) delay *= 2;
    delay = std::min(delay, backoff_.max);
  }
  AddAfter(key, delay);
  return delay;
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    due_.erase(key);
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (shut_down_) return std::nullopt;
    auto now = Clock::now();
    PromoteDueLocked(now);
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      queued_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (now >= deadline) return std::nullopt;
    auto wake = deadline;
    if (!delayed_.empty()) wake = std::min(wake, delayed_.begin()->first);
    cv_.wait_until(lock, wake);
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) != 0) AddLocked(key);
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
}

size_t WorkQueue::Length() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::Waiting() const {
  std::lock_guard lock(mu_);
  return delayed_.size();
}

bool WorkQueue::Idle() const {
  std::lock_guard lock(mu_);
  return queue_.empty() && processing_.empty() && delayed_.empty();
}

}  // namespace strata::controller
