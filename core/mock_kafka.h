// MockKafka: librdkafka's mock cluster, a real Kafka-protocol broker set on loopback TCP (kcat
// and any Kafka client can talk to it). The embedded Kafka of `strata up` and of the tests.
// Fault injection wraps the real thing: a broker set down, request errors pushed.
// Owns the cluster and the handle it hangs off; destroying it stops the brokers.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // after rdkafka.h, as it requires

#include <memory>
#include <string>
#include <vector>

#include "core/handles.h"
#include "core/status.h"

namespace strata {

// Kafka protocol API keys, for PushRequestErrors (librdkafka keeps its own table private).
inline constexpr int16_t kKafkaApiProduce = 0;
inline constexpr int16_t kKafkaApiFetch = 1;
inline constexpr int16_t kKafkaApiMetadata = 3;
inline constexpr int16_t kKafkaApiOffsetCommit = 8;

class MockKafka {
 public:
  ~MockKafka();
  // Starts `brokers` brokers on loopback ports chosen by the OS.
  static Result<std::unique_ptr<MockKafka>> Start(int brokers);

  // "127.0.0.1:PORT,…": what to pass as bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_; }
  Status CreateTopic(const std::string& topic, int partitions, int replication);
  // Creates strata.desired.<kind> for each kind, and strata.status, with `partitions` each (and
  // strata.satellites with 4).
  // Why: the mock keeps at most 5 MiB per partition and drops the oldest records beyond that
  // (a retention limit it does not let us change), and an auto-created topic gets 4 partitions:
  // too few to hold a 100,000-cluster fleet's events. 32 partitions hold 160 MiB per kind.
  Status CreateStrataTopics(const std::vector<std::string>& kinds, int partitions = 32);
  Status SetBrokerDown(int32_t broker_id);
  Status SetBrokerUp(int32_t broker_id);
  // The next requests of `api_key` (kKafkaApiProduce, …) answer these errors, in order.
  void PushRequestErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);

 private:
  MockKafka(KafkaPtr handle, rd_kafka_mock_cluster_t* cluster);
  KafkaPtr handle_;
  rd_kafka_mock_cluster_t* cluster_;  // owned; destroyed before handle_
  std::string bootstrap_;
};

}  // namespace strata
