// capacity: physical clusters → K8sCluster (derived/capacity/<cloud>-<region>/k8s-….yaml), the
// Kubernetes clusters and node pools that run them.
//
//   a physical Kafka cluster on a private network  → a Kubernetes cluster dedicated to that
//                                                    network: k8s-<org>-<network>;
//   a public one                                   → a shared Kubernetes cluster of its cloud and
//                                                    region, k8s-<cloud>-<region>-shared-<n>,
//                                                    bin-packed (first with room), sticky;
//   Connect and ksqlDB clusters                    → wherever their Kafka cluster runs.
//
// Node pools: `kafka` (one node per broker) and `compute` (one per Connect worker or ksqlDB CSU),
// each sized to its demand plus headroom, in steps of kNodeStep; a pool keeps its size while the
// demand fits in it and it is not more than twice what the demand needs, so most small changes
// make no capacity commit (the autoscaler case).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "reconciler/controller/controller.h"
#include "reconciler/controllers/k8s_cluster_index.h"
#include "reconciler/controllers/policy_index.h"

namespace strata::controllers {

inline constexpr int64_t kNodeStep = 3;
inline constexpr int64_t kMaxSharedKafkaNodes = 90;  // brokers packed onto one shared cluster

// The nodes a pool should have for `demand`, given the nodes it has now.
int64_t PoolNodes(int64_t demand, int64_t current);

class CapacityController : public controller::Controller {
 public:
  CapacityController();
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override {
    policy_.Reset();
    workloads_.clear();
    attached_.clear();
    index_.Clear();
  }
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;

 private:
  struct Workload {
    std::string type;  // "pkc", "pcc", "pksql"
    std::string path, cloud, region, network, kafka;
    std::vector<std::string> zones;
    int64_t demand = 0;
  };
  void OnWorkload(const std::string& type, const std::string& path, const specs::Node* doc);
  std::optional<controller::Outcome> Place(const std::string& name, std::set<std::string>* touched);
  std::string Pack(const Workload& w);
  void Move(const std::string& workload, const std::string& from, const std::string& to);
  Status Write(const std::string& k8s, controller::OutputBatch& out);

  controller::ControllerInfo info_;
  PolicyIndex policy_;  // zones of a region, for a pool with no Kafka cluster of its own
  std::map<std::string, Workload> workloads_;
  std::unordered_map<std::string, std::set<std::string>> attached_;  // pkc → pcc/pksql names
  K8sClusterIndex index_;  // our own output
};

std::unique_ptr<controller::Controller> MakeCapacityController();

}  // namespace strata::controllers
