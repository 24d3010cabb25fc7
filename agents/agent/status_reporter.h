// StatusReporter: publishes an agent's ResourceStatus events on strata.status from its own
// thread, so that a slow or absent Kafka never holds up the data plane.
//
// Reports coalesce per key: while Kafka is down only the newest state of each key waits, and it is
// sent when Kafka is back (memory is bounded by the number of resources, not by the outage).
// Without Kafka properties it only counts what it would have sent.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/kafka.h"
#include "core/resource_status.h"

namespace strata::agent {

class StatusReporter {
 public:
  // kInvalidArgument for a property librdkafka refuses.
  static Result<std::unique_ptr<StatusReporter>> Create(const KafkaProperties& kafka);
  ~StatusReporter();

  void Report(const ResourceStatus& status);
  // Waits until everything reported so far is acknowledged or `timeout` passed; true when sent.
  bool Flush(std::chrono::milliseconds timeout);

  uint64_t sent() const { return sent_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  StatusReporter() = default;
  void Loop();

  std::unique_ptr<Producer> producer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> waiting_;  // key → newest encoded event
  size_t in_flight_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> failures_{0};
  std::thread thread_;
};

}  // namespace strata::agent
