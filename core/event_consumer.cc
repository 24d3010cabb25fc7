#include "core/event_consumer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <random>

namespace strata {
namespace {

// Every desired topic, including kinds added after this consumer started.
constexpr const char* kAllDesiredTopics = "^strata\\.desired\\..*";

std::string RandomSuffix() {
  std::random_device device;
  return std::to_string(device()) + std::to_string(device());
}

}  // namespace

EventConsumer::~EventConsumer() {
  if (handle_ != nullptr) rd_kafka_consumer_close(handle_.get());
}

Result<std::unique_ptr<EventConsumer>> EventConsumer::Create(const EventConsumerOptions& options) {
  bool grouped = !options.group_id.empty();
  KafkaProperties all = {
      {"group.id", grouped ? options.group_id : "strata-reader-" + RandomSuffix()},
      {"enable.auto.commit", grouped ? "true" : "false"},
      {"auto.offset.reset", options.from_beginning ? "earliest" : "latest"},
      // Topics of a kind seen for the first time show up within seconds, not the default 5 min.
      {"topic.metadata.refresh.interval.ms", "2000"},
      {"enable.partition.eof", "false"},
  };
  if (grouped && options.manual_offsets) all.emplace_back("enable.auto.offset.store", "false");
  if (grouped) {
    KafkaProperties member = GroupMemberDefaults();
    all.insert(all.end(), member.begin(), member.end());
  }
  all.insert(all.end(), options.properties.begin(), options.properties.end());
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf(all));
  char err[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (raw == nullptr) return Status::InvalidArgument(std::string("creating a Kafka consumer: ") + err);
  conf.release();  // rd_kafka_new took it
  KafkaPtr handle(raw);
  rd_kafka_poll_set_consumer(handle.get());

  std::vector<std::string> topics;
  for (const auto& kind : options.kinds) topics.push_back(DesiredTopic(kind));
  if (topics.empty()) topics.push_back(kAllDesiredTopics);
  KafkaTopicPartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t rc = rd_kafka_subscribe(handle.get(), list.get());
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument(std::string("subscribing to the desired topics: ") +
                                   rd_kafka_err2str(rc));
  }
  return std::unique_ptr<EventConsumer>(new EventConsumer(std::move(handle), options.keep_latest));
}

uint64_t EventConsumer::SequenceOf(const std::string& key) const {
  auto it = newest_sequence_.find(key);
  return it == newest_sequence_.end() ? 0 : it->second;
}

void EventConsumer::StoreConsumedOffsets() {
  if (consumed_.empty()) return;
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
      list(rd_kafka_topic_partition_list_new(static_cast<int>(consumed_.size())),
           &rd_kafka_topic_partition_list_destroy);
  for (const auto& [where, offset] : consumed_) {
    rd_kafka_topic_partition_list_add(list.get(), where.first.c_str(), where.second)->offset = offset;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_offsets_store(handle_.get(), list.get()); err != 0) {
    // A partition revoked meanwhile: its new owner reads from the last stored offset (at least once).
    spdlog::debug("storing consumer offsets: {}", rd_kafka_err2str(err));
  }
  consumed_.clear();
}

bool EventConsumer::Accept(const ChangeEvent& event) {
  uint64_t& newest = newest_sequence_[event.key];
  if (event.sequence <= newest) {
    ++duplicates_skipped_;
    return false;
  }
  newest = event.sequence;
  if (!keep_latest_) return true;
  switch (event.type) {
    case ChangeType::kUpserted:
      desired_[event.key] = event;
      rejected_.erase(event.key);
      break;
    case ChangeType::kDeleted:
      desired_.erase(event.key);
      rejected_.erase(event.key);
      break;
    case ChangeType::kRejected:
      rejected_[event.key] = event;  // the last good state stays in desired_
      break;
    case ChangeType::kAccepted:  // never on a desired topic; nothing to keep
      break;
  }
  return true;
}

Result<std::optional<ChangeEvent>> EventConsumer::Next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::optional<ChangeEvent>();
    KafkaMessagePtr message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(left.count())));
    if (message == nullptr) return std::optional<ChangeEvent>();
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // A topic of a kind nobody has published yet, a broker restarting: librdkafka retries.
      if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
        return Status::Unavailable(std::string("Kafka consumer: ") +
                                   rd_kafka_message_errstr(message.get()));
      }
      spdlog::debug("Kafka consumer: {}", rd_kafka_message_errstr(message.get()));
      continue;
    }
    consumed_[{rd_kafka_topic_name(message->rkt), message->partition}] = message->offset + 1;
    std::string_view value(static_cast<const char*>(message->payload), message->len);
    Result<ChangeEvent> event = DecodeCloudEvent(value);
    if (!event.ok()) {
      ++malformed_;
      spdlog::warn("skipping a record of {} at offset {}: {}",
                   rd_kafka_topic_name(message->rkt), message->offset, event.status().message());
      continue;
    }
    if (Accept(*event)) return std::optional<ChangeEvent>(std::move(*event));
  }
}

int64_t EventConsumer::Lag() const {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
      owned(assignment, &rd_kafka_topic_partition_list_destroy);
  if (assignment->cnt == 0) return -1;
  rd_kafka_position(handle_.get(), assignment);
  int64_t lag = 0;
  for (int i = 0; i < assignment->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = assignment->elems[i];
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(handle_.get(), p.topic, p.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      return -1;
    }
    int64_t position = p.offset >= 0 ? p.offset : std::max<int64_t>(low, 0);
    lag += std::max<int64_t>(0, high - position);
  }
  return lag;
}

}  // namespace strata
