// WorkQueue: coalescing, one worker per key, exponential backoff, delays and shutdown.
#include "reconciler/controller/work_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

namespace strata::controller {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueueTest, EventsForAWaitingKeyCoalesceIntoOneReconcile) {
  WorkQueue queue;
  for (int i = 0; i < 4; ++i) queue.Add("KafkaCluster/acme/orders");  // 2 → 4 → 2 → 6 CKU
  queue.Add("KafkaCluster/acme/sandbox");
  EXPECT_EQ(queue.Length(), 2u);
  EXPECT_EQ(queue.Get(0ms), "KafkaCluster/acme/orders");
  EXPECT_EQ(queue.Get(0ms), "KafkaCluster/acme/sandbox");
  EXPECT_EQ(queue.Get(0ms), std::nullopt);
}

TEST(WorkQueueTest, AKeyAddedWhileProcessedWaitsForDone) {
  WorkQueue queue;
  queue.Add("k");
  ASSERT_EQ(queue.Get(0ms), "k");
  queue.Add("k");
  queue.Add("k");
  EXPECT_EQ(queue.Get(0ms), std::nullopt);  // never to a second worker at the same time
  queue.Done("k");
  EXPECT_EQ(queue.Get(0ms), "k");  // once, however often it was added meanwhile
  queue.Done("k");
  EXPECT_EQ(queue.Get(0ms), std::nullopt);
}

TEST(WorkQueueTest, FailuresBackOffExponentiallyUpToTheCapAndForgetResets) {
  WorkQueue queue(BackoffPolicy{5ms, 100ms});
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(queue.AddRateLimited("k").count());
  EXPECT_THAT(delays, ::testing::ElementsAre(5, 10, 20, 40, 80, 100, 100));
  EXPECT_EQ(queue.Failures("k"), 7);
  queue.Forget("k");
  EXPECT_EQ(queue.AddRateLimited("k").count(), 5);
}

TEST(WorkQueueTest, ABackedOffKeyIsNotHandedOutBeforeItsTime) {
  WorkQueue queue(BackoffPolicy{50ms, 1s});
  queue.AddRateLimited("k");
  EXPECT_EQ(queue.Get(0ms), std::nullopt);
  EXPECT_EQ(queue.Waiting(), 1u);
  auto start = WorkQueue::Clock::now();
  EXPECT_EQ(queue.Get(2s), "k");
  EXPECT_GE(WorkQueue::Clock::now() - start, 40ms);
}

TEST(WorkQueueTest, DelayedKeysComeOutInTheOrderTheyAreDue) {
  WorkQueue queue;
  queue.AddAfter("late", 60ms);
  queue.AddAfter("soon", 10ms);
  queue.AddAfter("now", 0ms);
  EXPECT_EQ(queue.Get(1s), "now");
  EXPECT_EQ(queue.Get(1s), "soon");
  EXPECT_EQ(queue.Get(1s), "late");
}

TEST(WorkQueueTest, AKeyRequeuedOverAndOverKeepsOneDeadlineTheEarliest) {
  WorkQueue queue;
  for (int i = 0; i < 100; ++i) queue.AddAfter("poll", 5s);
  queue.AddAfter("poll", 20ms);  // earlier: replaces
  queue.AddAfter("poll", 10s);   // later: ignored
  EXPECT_EQ(queue.Waiting(), 1u);
  EXPECT_EQ(queue.Get(1s), "poll");
  queue.Done("poll");
  EXPECT_EQ(queue.Waiting(), 0u);
  EXPECT_TRUE(queue.Idle());
}

TEST(WorkQueueTest, ShutDownWakesABlockedWorker) {
  WorkQueue queue;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = queue.Get(10s); });
  std::this_thread::sleep_for(20ms);
  queue.ShutDown();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  queue.Add("k");
  EXPECT_EQ(queue.Get(0ms), std::nullopt);
}

TEST(WorkQueueTest, ManyWorkersNeverHoldTheSameKeyAtOnce) {
  WorkQueue queue;
  constexpr int kKeys = 8;
  std::map<std::string, std::atomic<int>> holders;
  for (int k = 0; k < kKeys; ++k) holders["key-" + std::to_string(k)] = 0;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get(200ms)) {
        if (holders.at(*key).fetch_add(1) != 0) overlap = true;
        std::this_thread::sleep_for(100us);
        holders.at(*key).fetch_sub(1);
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) queue.Add("key-" + std::to_string(i % kKeys));
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_GE(processed.load(), kKeys);
  EXPECT_EQ(queue.Length(), 0u);
}

}  // namespace
}  // namespace strata::controller
