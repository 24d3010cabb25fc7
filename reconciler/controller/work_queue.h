// WorkQueue: the keys a controller still has to reconcile, with the guarantees of Kubernetes'
// client-go work queue that the layer cake relies on:
//   - a key is queued at most once, however many events name it (2 → 4 → 2 → 6 CKU arriving
//     while the key waits is one reconcile, of the newest state);
//   - a key is never handed to two workers at once: added while it is being processed, it is
//     queued again when the worker calls Done, not before;
//   - failures requeue with exponential backoff per key (AddRateLimited), reset by Forget;
//   - AddAfter requeues at a later time (a soak, a poll of something slow).
// Thread-safe. Keys are resource keys ("KafkaCluster/acme/orders").
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace strata::controller {

struct BackoffPolicy {
  std::chrono::milliseconds base{5};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(BackoffPolicy backoff = {}) : backoff_(backoff) {}

  // Queues `key` unless it is queued already; while it is being processed, marks it to be queued
  // again when the worker is done.
  void Add(const std::string& key);
  // Queues `key` once `delay` has passed (at once when the delay is zero or less). A key keeps
  // one pending deadline, the earliest asked for.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Queues `key` after its next backoff (base · 2^failures, at most max) and returns that delay.
  std::chrono::milliseconds AddRateLimited(const std::string& key);
  // Forgets the failures of `key`: its next backoff starts from the base again.
  void Forget(const std::string& key);
  int Failures(const std::string& key) const;

  // The next key to process, waiting at most `timeout`; nullopt on timeout or after ShutDown.
  // The caller must call Done(key) when it has finished with it.
  std::optional<std::string> Get(std::chrono::milliseconds timeout);
  void Done(const std::string& key);

  // Wakes every Get; the queue hands out nothing more.
  void ShutDown();

  size_t Length() const;  // keys ready now
  size_t Waiting() const;  // keys due later
  // Nothing queued, nothing being processed, nothing due later: every key added is finished.
  bool Idle() const;

 private:
  void PromoteDueLocked(Clock::time_point now);
  void AddLocked(const std::string& key);

  BackoffPolicy backoff_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> queued_;      // in queue_
  std::unordered_set<std::string> processing_;  // handed out, not Done yet
  std::unordered_set<std::string> dirty_;       // added while processing
  std::multimap<Clock::time_point, std::string> delayed_;
  std::unordered_map<std::string, Clock::time_point> due_;  // each key's one entry in delayed_
  std::unordered_map<std::string, int> failures_;
  bool shut_down_ = false;
};

}  // namespace strata::controller
