// Kafka access for strata on librdkafka: connection properties and an acknowledged producer.
//
// KafkaProperties are librdkafka properties ("bootstrap.servers", "security.protocol", …) as
// given by `--kafka HOST:PORT` and `--kafka-config FILE`. A Producer is idempotent with acks=all
// unless the properties say otherwise, so a retried send never duplicates or reorders a
// partition's records. Producer is thread-compatible: one thread calls ProduceAll at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/handles.h"
#include "core/status.h"

namespace strata {

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Reads "key=value" lines ('#' starts a comment, blank lines are skipped). kNotFound when the file
// cannot be read, kInvalidArgument naming the line when one is not key=value.
Result<KafkaProperties> LoadKafkaConfigFile(const std::string& path);

// Applies `properties` to a new conf. kInvalidArgument naming the property librdkafka refused.
Result<KafkaConfPtr> MakeKafkaConf(const KafkaProperties& properties);

// What every strata consumer that joins a group sets before the operator's own properties (which
// may override it): a member killed with kill -9 holds its partitions until its session times
// out, so with librdkafka's 45 s default a restarted controller would wait that long for its own
// partitions. 6 s is the least a broker accepts by default (group.min.session.timeout.ms).
KafkaProperties GroupMemberDefaults();

struct KafkaMessage {
  std::string topic;
  std::string key;
  std::string value;
};

class Producer {
 public:
  ~Producer();
  static Result<std::unique_ptr<Producer>> Create(const KafkaProperties& properties);

  // Sends every message and waits until each is acknowledged or `timeout` has passed. OK only
  // when every message was acknowledged. Otherwise the messages not yet acknowledged are purged
  // and the error says what to do: kUnavailable, send the batch again (at least once);
  // kInvalidArgument, a message can never be sent (too large, not authorised);
  // kFailedPrecondition, the producer hit a fatal error and must be made anew.
  Status ProduceAll(const std::vector<KafkaMessage>& messages, std::chrono::milliseconds timeout);

  // Looks up (and, where the cluster auto-creates topics, creates) each topic now, so that the
  // first message to it is not held back until librdkafka's once-a-second scan of unknown topics.
  // kUnavailable naming the first topic whose metadata did not come back within `timeout`.
  Status PrepareTopics(const std::vector<std::string>& topics, std::chrono::milliseconds timeout);

 private:
  explicit Producer(KafkaPtr handle) : handle_(std::move(handle)) {}
  KafkaPtr handle_;
};

}  // namespace strata
