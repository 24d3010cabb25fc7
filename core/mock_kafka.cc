#include "core/mock_kafka.h"

namespace strata {

MockKafka::MockKafka(KafkaPtr handle, rd_kafka_mock_cluster_t* cluster)
    : handle_(std::move(handle)),
      cluster_(cluster),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

MockKafka::~MockKafka() { rd_kafka_mock_cluster_destroy(cluster_); }

Result<std::unique_ptr<MockKafka>> MockKafka::Start(int brokers) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  char err[512];
  // The handle only hosts the cluster; it never connects anywhere itself.
  rd_kafka_conf_set(conf.get(), "log_level", "3", err, sizeof err);
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (raw == nullptr) return Status::Internal(std::string("creating the mock cluster's handle: ") + err);
  conf.release();
  KafkaPtr handle(raw);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle.get(), brokers);
  if (cluster == nullptr) return Status::Internal("starting the mock Kafka cluster");
  return std::unique_ptr<MockKafka>(new MockKafka(std::move(handle), cluster));
}

Status MockKafka::CreateTopic(const std::string& topic, int partitions, int replication) {
  rd_kafka_resp_err_t rc = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Internal("creating topic " + topic + ": " + rd_kafka_err2str(rc));
  }
  return Status::Ok();
}

Status MockKafka::SetBrokerDown(int32_t broker_id) {
  rd_kafka_resp_err_t rc = rd_kafka_mock_broker_set_down(cluster_, broker_id);
  return rc == RD_KAFKA_RESP_ERR_NO_ERROR
             ? Status::Ok()
             : Status::NotFound("broker " + std::to_string(broker_id) + ": " + rd_kafka_err2str(rc));
}

Status MockKafka::SetBrokerUp(int32_t broker_id) {
  rd_kafka_resp_err_t rc = rd_kafka_mock_broker_set_up(cluster_, broker_id);
  return rc == RD_KAFKA_RESP_ERR_NO_ERROR
             ? Status::Ok()
             : Status::NotFound("broker " + std::to_string(broker_id) + ": " + rd_kafka_err2str(rc));
}

void MockKafka::PushRequestErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

}  // namespace strata
