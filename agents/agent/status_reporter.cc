#include "agents/agent/status_reporter.h"

#include <spdlog/spdlog.h>

#include "core/change_event.h"

namespace strata::agent {

Result<std::unique_ptr<StatusReporter>> StatusReporter::Create(const KafkaProperties& kafka) {
  std::unique_ptr<StatusReporter> reporter(new StatusReporter());
  if (!kafka.empty()) {
    ASSIGN_OR_RETURN(reporter->producer_, Producer::Create(kafka));
    (void)reporter->producer_->PrepareTopics({std::string(kStatusTopic)}, std::chrono::seconds(2));
  }
  reporter->thread_ = std::thread([r = reporter.get()] { r->Loop(); });
  return reporter;
}

StatusReporter::~StatusReporter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusReporter::Report(const ResourceStatus& status) {
  {
    std::lock_guard lock(mu_);
    waiting_[status.key] = EncodeResourceStatus(status);
  }
  cv_.notify_all();
}

bool StatusReporter::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return waiting_.empty() && in_flight_ == 0; });
}

void StatusReporter::Loop() {
  auto backoff = std::chrono::milliseconds(200);
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, nothing left
    std::map<std::string, std::string> batch;
    batch.swap(waiting_);
    in_flight_ = batch.size();
    bool stopping = stop_;
    lock.unlock();
    Status sent = Status::Ok();
    if (producer_ != nullptr) {
      std::vector<KafkaMessage> messages;
      messages.reserve(batch.size());
      for (auto& [key, value] : batch) messages.push_back({std::string(kStatusTopic), key, value});
      sent = producer_->ProduceAll(messages, stopping ? std::chrono::seconds(2) : std::chrono::seconds(5));
    }
    lock.lock();
    in_flight_ = 0;
    if (sent.ok()) {
      sent_ += batch.size();
      backoff = std::chrono::milliseconds(200);
      cv_.notify_all();
      continue;
    }
    ++failures_;
    if (stopping) {
      spdlog::warn("agent: {} status reports not sent at shutdown: {}", batch.size(), sent.ToString());
      return;
    }
    spdlog::warn("agent: status not sent, will retry: {}", sent.ToString());
    // Newer reports of the same keys win over the ones that failed.
    for (auto& [key, value] : batch) waiting_.try_emplace(key, std::move(value));
    cv_.notify_all();
    cv_.wait_for(lock, backoff, [&] { return stop_; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

}  // namespace strata::agent
