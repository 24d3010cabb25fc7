#include "core/mock_kafka.h"

#include "core/change_event.h"
#include "core/slice_notice.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

namespace strata {

MockKafka::MockKafka(KafkaPtr handle, rd_kafka_mock_cluster_t* cluster)
    : handle_(std::move(handle)),
      cluster_(cluster),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

MockKafka::~MockKafka() { rd_kafka_mock_cluster_destroy(cluster_); }

namespace {

// Real Kafka brokers turn Nagle's algorithm off on their connections; the mock's do not, and then
// a response that follows another on the same connection waits for the client's delayed ACK: 40 ms
// stalls, at random, on loopback. The mock makes its listening sockets without asking anyone, so
// they are found by port among this process's descriptors; Linux hands TCP_NODELAY on from a
// listening socket to the connections it accepts.
void DisableNagleOnListeners(const std::string& bootstrap) {
  std::set<int> ports;
  for (size_t at = 0; at < bootstrap.size();) {
    size_t comma = bootstrap.find(',', at);
    std::string server = bootstrap.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    ports.insert(std::atoi(server.substr(server.rfind(':') + 1).c_str()));
    at = comma == std::string::npos ? bootstrap.size() : comma + 1;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_in address{};
    socklen_t length = sizeof address;
    int listening = 0;
    socklen_t flag_length = sizeof listening;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        address.sin_family != AF_INET || ports.count(ntohs(address.sin_port)) == 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &flag_length) != 0 || !listening) {
      continue;
    }
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
}

}  // namespace

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
  DisableNagleOnListeners(rd_kafka_mock_cluster_bootstraps(cluster));
  return std::unique_ptr<MockKafka>(new MockKafka(std::move(handle), cluster));
}

Status MockKafka::CreateStrataTopics(const std::vector<std::string>& kinds, int partitions) {
  std::vector<std::string> topics = {std::string(kStatusTopic)};
  for (const std::string& kind : kinds) topics.push_back(DesiredTopic(kind));
  for (const std::string& topic : topics) RETURN_IF_ERROR(CreateTopic(topic, partitions, 1));
  // Slice notices are small and few (one per moved satellite ref).
  return CreateTopic(std::string(kSatellitesTopic), 4, 1);
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
