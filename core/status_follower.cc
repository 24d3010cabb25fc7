#include "core/status_follower.h"

#include <librdkafka/rdkafka.h>

#include <set>
#include <string>
#include <thread>

#include "core/handles.h"

namespace strata {
namespace {

// The partitions of the status topic; empty while it does not exist.
std::vector<int32_t> StatusPartitions(rd_kafka_t* consumer) {
  std::vector<int32_t> partitions;
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_topic_t* topic =
      rd_kafka_topic_new(consumer, std::string(kStatusTopic).c_str(), nullptr);
  if (topic == nullptr) return partitions;
  rd_kafka_resp_err_t rc = rd_kafka_metadata(consumer, 0, topic, &metadata, 2000);
  rd_kafka_topic_destroy(topic);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) return partitions;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    if (metadata->topics[t].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < metadata->topics[t].partition_cnt; ++p) {
      partitions.push_back(metadata->topics[t].partitions[p].id);
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return partitions;
}

}  // namespace

Status FollowStatus(const KafkaProperties& kafka, const std::atomic<bool>& stop,
                    const std::function<void(const ResourceStatus&)>& on_status) {
  return FollowStatusRecords(kafka, stop, [&](std::string_view value) {
    Result<ResourceStatus> status = DecodeResourceStatus(value);
    if (status.ok()) on_status(*status);
  });
}

Status FollowStatusRecords(const KafkaProperties& kafka, const std::atomic<bool>& stop,
                           const std::function<void(std::string_view value)>& on_record,
                           const std::function<void()>& on_caught_up) {
  KafkaProperties properties = {{"fetch.wait.max.ms", "10"}};
  properties.insert(properties.end(), kafka.begin(), kafka.end());
  // A group id is needed to consume at all, but no group is joined: partitions are assigned.
  properties.push_back({"group.id", "strata-status-follower"});
  properties.push_back({"enable.auto.commit", "false"});
  properties.push_back({"allow.auto.create.topics", "false"});
  properties.push_back({"enable.partition.eof", "true"});  // tells when the backlog is read
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf(properties));
  char err[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (raw == nullptr) return Status::InvalidArgument(err);
  conf.release();
  KafkaPtr consumer(raw);

  std::vector<int32_t> partitions;
  while (!stop.load()) {
    partitions = StatusPartitions(consumer.get());
    if (!partitions.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (partitions.empty()) return Status::Ok();
  KafkaTopicPartitionListPtr assignment(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(assignment.get(), std::string(kStatusTopic).c_str(), p)
        ->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), assignment.get());
  std::set<int32_t> at_end;  // partitions read to their end at least once
  bool caught_up = false;
  while (!stop.load()) {
    KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
      if (!caught_up && at_end.size() == partitions.size()) {
        caught_up = true;
        if (on_caught_up) on_caught_up();
      }
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR || m->payload == nullptr) continue;
    on_record(std::string_view(static_cast<const char*>(m->payload), m->len));
  }
  rd_kafka_consumer_close(consumer.get());
  return Status::Ok();
}

}  // namespace strata
