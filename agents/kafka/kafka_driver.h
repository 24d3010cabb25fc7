// The `kafka` driver: each PhysicalKafkaCluster of the slice becomes a real Kafka-protocol
// endpoint on loopback (librdkafka's mock cluster) with the cluster's broker count, and its
// bootstrap address is reported in status, so a user can produce to "their" cluster with kcat:
//   kcat -b 127.0.0.1:PORT -t orders -P
// Other kinds (Kubernetes clusters, networks, Connect, ksqlDB) have nothing to stand up here and
// are Ready at once. A change of broker count replaces the endpoint with one of the new size (the
// mock cannot grow in place), so the address changes and its data starts empty; the endpoints live
// as long as the agent process and are stood up again when it restarts.
#pragma once

#include <memory>

#include "agents/agent/driver.h"

namespace strata::agent {

std::unique_ptr<Driver> MakeKafkaDriver();

}  // namespace strata::agent
