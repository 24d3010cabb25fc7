// NoticeListener: wakes an agent when the sync controller announces, on strata.satellites, that
// this satellite's slice ref moved. Runs its own consumer thread; notices for other satellites are
// skipped. Kafka being down only means no wake-ups: the agent polls anyway.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/handles.h"
#include "core/kafka.h"

namespace strata::agent {

class NoticeListener {
 public:
  // `on_notice` is called from the listener's thread with the slice commit announced.
  static Result<std::unique_ptr<NoticeListener>> Start(const KafkaProperties& kafka,
                                                       const std::string& satellite,
                                                       std::function<void(const std::string&)> on_notice);
  ~NoticeListener();

  uint64_t notices() const { return notices_.load(); }

 private:
  NoticeListener() = default;
  void Loop();

  KafkaPtr consumer_;
  std::string satellite_;
  std::function<void(const std::string&)> on_notice_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> notices_{0};
  std::thread thread_;
};

}  // namespace strata::agent
