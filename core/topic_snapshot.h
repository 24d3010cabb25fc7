// ReadTopicSnapshot: every record that is in Kafka now in the topics whose names start with a
// prefix, from the start of each partition to where it ends at the moment of the call, without
// joining a consumer group (so without a group join's seconds). What `strata status` reads the
// status topic with, and the tests read topics back with.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/kafka.h"
#include "core/status.h"

namespace strata {

struct KafkaRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// kUnavailable when Kafka does not answer, or the records do not all arrive, within `timeout`.
Result<std::vector<KafkaRecord>> ReadTopicSnapshot(const KafkaProperties& kafka,
                                                   const std::string& topic_prefix,
                                                   std::chrono::milliseconds timeout);

}  // namespace strata
