#include "core/kafka.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <fstream>

namespace strata {
namespace {

// What one ProduceAll call is waiting for; each message carries a pointer to it as its opaque.
struct Batch {
  std::atomic<size_t> acknowledged{0};
  std::atomic<size_t> failed{0};
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;  // written under the poll thread
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*conf_opaque*/) {
  auto* batch = static_cast<Batch*>(message->_private);
  if (batch == nullptr) return;
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    batch->acknowledged.fetch_add(1);
  } else {
    if (batch->first_error == RD_KAFKA_RESP_ERR_NO_ERROR) batch->first_error = message->err;
    batch->failed.fetch_add(1);
  }
}

// rd_kafka_produceva rather than the RD_KAFKA_V_* macros, which use a GNU extension.
rd_kafka_resp_err_t Enqueue(rd_kafka_t* rk, const KafkaMessage& m, Batch* batch) {
  rd_kafka_vu_t args[5];
  args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  args[0].u.cstr = m.topic.c_str();
  args[1].vtype = RD_KAFKA_VTYPE_KEY;
  args[1].u.mem = {const_cast<char*>(m.key.data()), m.key.size()};
  args[2].vtype = RD_KAFKA_VTYPE_VALUE;
  args[2].u.mem = {const_cast<char*>(m.value.data()), m.value.size()};
  args[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[3].u.i = RD_KAFKA_MSG_F_COPY;
  args[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[4].u.ptr = batch;
  rd_kafka_error_t* error = rd_kafka_produceva(rk, args, 5);
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

// Errors that sending again cannot fix are not kUnavailable: a caller that retries them would
// retry for ever.
Status PermanentOrNot(rd_kafka_resp_err_t error, std::string message) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      return Status::InvalidArgument(std::move(message));
    default:
      return Status::Unavailable(std::move(message));
  }
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// librdkafka's own log lines (syslog levels) go through spdlog, so they share the process's format
// (human or JSON) and level. A broker going away is routine for a client that reconnects: warn.
void ForwardKafkaLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  spdlog::level::level_enum to = level <= 3   ? spdlog::level::warn
                                 : level <= 5 ? spdlog::level::info
                                              : spdlog::level::debug;
  spdlog::log(to, "kafka {} {}: {}", rd_kafka_name(rk), facility, message);
}

}  // namespace

Result<KafkaProperties> LoadKafkaConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read Kafka config " + path);
  KafkaProperties properties;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    size_t eq = trimmed.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                     ": expected key=value (a librdkafka property)");
    }
    properties.emplace_back(Trim(trimmed.substr(0, eq)), Trim(trimmed.substr(eq + 1)));
  }
  return properties;
}

KafkaProperties GroupMemberDefaults() {
  return {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "1500"}};
}

Result<KafkaConfPtr> MakeKafkaConf(const KafkaProperties& properties) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), ForwardKafkaLog);
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("Kafka property " + key + ": " + err);
    }
  }
  return conf;
}

Producer::~Producer() {
  if (handle_ != nullptr) rd_kafka_flush(handle_.get(), 5000);
}

Result<std::unique_ptr<Producer>> Producer::Create(const KafkaProperties& properties) {
  KafkaProperties all = {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "1"}};
  all.insert(all.end(), properties.begin(), properties.end());  // the caller's word wins
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf(all));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
  char err[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (raw == nullptr) return Status::InvalidArgument(std::string("creating a Kafka producer: ") + err);
  conf.release();  // rd_kafka_new took it
  return std::unique_ptr<Producer>(new Producer(KafkaPtr(raw)));
}

Status Producer::PrepareTopics(const std::vector<std::string>& topics,
                               std::chrono::milliseconds timeout) {
  for (const auto& name : topics) {
    std::unique_ptr<rd_kafka_topic_t, Deleter<rd_kafka_topic_destroy>> topic(
        rd_kafka_topic_new(handle_.get(), name.c_str(), nullptr));
    if (topic == nullptr) return Status::InvalidArgument("bad topic name " + name);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t rc = rd_kafka_metadata(handle_.get(), 0, topic.get(), &metadata,
                                               static_cast<int>(timeout.count()));
    if (rc == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1) rc = metadata->topics[0].err;
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable("looking up topic " + name + ": " + rd_kafka_err2str(rc));
    }
  }
  return Status::Ok();
}

Status Producer::ProduceAll(const std::vector<KafkaMessage>& messages,
                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Batch batch;
  size_t queued = 0;
  rd_kafka_resp_err_t enqueue_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (const auto& m : messages) {
    while (true) {
      rd_kafka_resp_err_t rc = Enqueue(handle_.get(), m, &batch);
      if (rc == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_poll(handle_.get(), 10);  // delivery reports free room in the queue
        continue;
      }
      if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) enqueue_error = rc;
      break;
    }
    if (enqueue_error != RD_KAFKA_RESP_ERR_NO_ERROR) break;
    ++queued;
  }
  // flush sends what is queued at once, whatever linger.ms says, and serves the delivery reports;
  // everything outstanding in this producer is this batch (one ProduceAll at a time).
  while (batch.acknowledged + batch.failed < queued && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    rd_kafka_flush(handle_.get(), static_cast<int>(std::max<int64_t>(1, left.count())));
  }
  if (batch.acknowledged + batch.failed < queued) {
    // The batch lives on this stack frame: no report may arrive for it after we return.
    rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    while (batch.acknowledged + batch.failed < queued) rd_kafka_poll(handle_.get(), 5);
    return Status::Unavailable("Kafka did not acknowledge " +
                               std::to_string(queued - batch.acknowledged) + " of " +
                               std::to_string(messages.size()) + " messages within " +
                               std::to_string(timeout.count()) + " ms");
  }
  char fatal[256];
  if (rd_kafka_fatal_error(handle_.get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::FailedPrecondition(
        std::string("the Kafka producer hit a fatal error; make a new one: ") + fatal);
  }
  if (enqueue_error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return PermanentOrNot(enqueue_error, std::string("Kafka refused a message: ") +
                                             rd_kafka_err2str(enqueue_error));
  }
  if (batch.failed > 0) {
    return PermanentOrNot(batch.first_error, std::to_string(batch.failed.load()) + " of " +
                                                 std::to_string(messages.size()) +
                                                 " messages failed: " +
                                                 rd_kafka_err2str(batch.first_error));
  }
  return Status::Ok();
}

}  // namespace strata
