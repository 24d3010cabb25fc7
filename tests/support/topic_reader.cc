#include "tests/support/topic_reader.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <map>

#include "core/handles.h"
#include "core/kafka.h"

namespace strata::testing {

Result<std::vector<KafkaRecord>> ReadAllRecords(const std::string& bootstrap_servers,
                                                const std::string& topic_prefix,
                                                std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf({{"bootstrap.servers", bootstrap_servers},
                                                     {"group.id", "strata-test-reader"},
                                                     {"enable.auto.commit", "false"},
                                                     {"enable.partition.eof", "false"}}));
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

Result<std::vector<ChangeEvent>> ReadAllChangeEvents(const std::string& bootstrap_servers) {
  ASSIGN_OR_RETURN(std::vector<KafkaRecord> records,
                   ReadAllRecords(bootstrap_servers, "strata.desired."));
  std::vector<ChangeEvent> events;
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(ChangeEvent e, DecodeCloudEvent(r.value));
    if (e.key != r.key) return Status::InvalidArgument("record key " + r.key + " is not " + e.key);
    if (r.topic != DesiredTopic(e.kind)) {
      return Status::InvalidArgument(e.key + " is on " + r.topic + ", not " + DesiredTopic(e.kind));
    }
    events.push_back(std::move(e));
  }
  std::stable_sort(events.begin(), events.end(), [](const ChangeEvent& a, const ChangeEvent& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.id() < b.id();
  });
  return events;
}

}  // namespace strata::testing
