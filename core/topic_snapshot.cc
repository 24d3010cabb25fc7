#include "core/topic_snapshot.h"

#include <librdkafka/rdkafka.h>

#include <map>

#include "core/handles.h"

namespace strata {

Result<std::vector<KafkaRecord>> ReadTopicSnapshot(const KafkaProperties& kafka,
                                                   const std::string& topic_prefix,
                                                   std::chrono::milliseconds timeout) {
  KafkaProperties properties = kafka;
  // A group id is needed to consume at all, but no group is joined: partitions are assigned.
  properties.push_back({"group.id", "strata-snapshot-reader"});
  properties.push_back({"enable.auto.commit", "false"});
  properties.push_back({"enable.partition.eof", "false"});
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf(properties));
  char err[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (raw == nullptr) return Status::Internal(err);
  conf.release();
  KafkaPtr consumer(raw);

  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t rc = rd_kafka_metadata(consumer.get(), 1, nullptr, &metadata,
                                             static_cast<int>(timeout.count()));
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Unavailable(rd_kafka_err2str(rc));
  // partition → the offset where it ends now
  std::map<std::pair<std::string, int32_t>, int64_t> ends;
  KafkaTopicPartitionListPtr assignment(rd_kafka_topic_partition_list_new(16));
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    std::string name = metadata->topics[t].topic;
    if (name.rfind(topic_prefix, 0) != 0) continue;
    for (int p = 0; p < metadata->topics[t].partition_cnt; ++p) {
      int32_t id = metadata->topics[t].partitions[p].id;
      int64_t low = 0;
      int64_t high = 0;
      rc = rd_kafka_query_watermark_offsets(consumer.get(), name.c_str(), id, &low, &high,
                                            static_cast<int>(timeout.count()));
      if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(metadata);
        return Status::Unavailable(rd_kafka_err2str(rc));
      }
      if (high <= low) continue;
      ends[{name, id}] = high;
      rd_kafka_topic_partition_list_add(assignment.get(), name.c_str(), id)->offset = low;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  std::vector<KafkaRecord> records;
  if (ends.empty()) return records;
  rd_kafka_assign(consumer.get(), assignment.get());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t done = 0;
  std::map<std::pair<std::string, int32_t>, bool> finished;
  while (done < ends.size()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("timed out reading " + std::to_string(ends.size()) + " partitions");
    }
    KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (m == nullptr || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    KafkaRecord r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
    auto where = std::make_pair(r.topic, r.partition);
    records.push_back(std::move(r));
    if (m->offset + 1 >= ends[where] && !finished[where]) {
      finished[where] = true;
      ++done;
    }
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

}  // namespace strata
