#include "agents/kafka/kafka_driver.h"

#include <map>

#include "core/mock_kafka.h"

namespace strata::agent {
namespace {

class KafkaDriver : public Driver {
 public:
  std::string name() const override { return "kafka"; }

  Result<Observed> Apply(const SliceResource& desired) override {
    Observed observed;
    observed.phase = Phase::kReady;
    if (desired.kind != "PhysicalKafkaCluster") return observed;
    int brokers = desired.spec().value("brokers", 1);
    Endpoint& endpoint = endpoints_[desired.key];
    if (endpoint.cluster == nullptr || endpoint.brokers != brokers) {
      endpoint.cluster.reset();
      ASSIGN_OR_RETURN(endpoint.cluster, MockKafka::Start(brokers));
      endpoint.brokers = brokers;
    }
    observed.brokers_desired = brokers;
    observed.brokers_ready = brokers;
    observed.version = desired.spec().value("kafkaVersion", "");
    observed.endpoint = endpoint.cluster->bootstrap_servers();
    return observed;
  }

  Result<Observed> Remove(const SliceResource& last) override {
    endpoints_.erase(last.key);
    Observed observed;
    observed.phase = Phase::kDeleted;
    return observed;
  }

  Result<Observed> Observe(const SliceResource& desired, std::vector<std::string>* drift) override {
    Observed observed;
    observed.phase = Phase::kReady;
    if (desired.kind != "PhysicalKafkaCluster") return observed;
    auto it = endpoints_.find(desired.key);
    if (it == endpoints_.end() || it->second.cluster == nullptr) {
      drift->push_back("no endpoint is running");
      observed.phase = Phase::kPending;
    }
    return observed;
  }

 private:
  struct Endpoint {
    std::unique_ptr<MockKafka> cluster;
    int brokers = 0;
  };
  std::map<std::string, Endpoint> endpoints_;
};

}  // namespace

std::unique_ptr<Driver> MakeKafkaDriver() { return std::make_unique<KafkaDriver>(); }

}  // namespace strata::agent
