// pkc: KafkaCluster → PhysicalKafkaCluster (derived/pkc/).
//
//   dedicated SKU     its own physical cluster, pkc-<org>-<name> in derived/pkc/<org>/, of
//                     brokersPerCku × CKU brokers, over 3 zones when multi-zone, 1 otherwise;
//   multi-tenant SKU  a tenant of a shared physical cluster of its cloud, region and SKU,
//                     pkc-<cloud>-<region>-<sku>-<n> in derived/pkc/shared/: the first one with
//                     room (tenantsPerCluster), a new one when all are full. Sticky: a tenant
//                     stays where it is while its cloud, region and SKU stay the same; a shared
//                     cluster goes away with its last tenant.
//
// Invalid for the key (terminal, reported): a spec that fails its schema, an unknown SKU or org,
// a region outside the org's data residency, no satellite serving the region, a network that
// does not exist or is private on a multi-tenant SKU. The last good output stays.
// A policy change (Sku, OrgPolicy, Satellite, Network) re-reconciles the clusters it governs.
//
// Rollouts: a RolloutTarget of the rollout controller (derived/rollout/targets/…/<name>.yaml)
// for a physical cluster sets its kafkaVersion (over the logical spec's and the default) and
// broker settings (over the logical spec's), and pkc stamps the release on the physical document
// (annotation strata.dev/release), which the agent reports back once applied. A dedicated
// cluster also carries its logical cluster's labels, which rollout selectors match on.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "reconciler/controller/controller.h"
#include "reconciler/controllers/policy_index.h"
#include "reconciler/rollout/fleet_cluster.h"
#include "reconciler/rollout/target.h"

namespace strata::controllers {

inline constexpr std::string_view kDefaultKafkaVersion = "3.7";

class PkcController : public controller::Controller {
 public:
  PkcController();
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override {
    policy_.Reset();
    physical_.clear();
    placement_.clear();
    invalid_.clear();
    targets_.clear();
  }
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;

  // The physical cluster that hosts a logical one ("" when none): for tests and `strata plan`.
  std::string PlacementOf(const std::string& key) const;

 private:
  struct Physical {
    std::string path;
    bool shared = false;
    std::string sku, cloud, region;
    std::vector<std::string> zones;
    std::set<std::string> tenants;
  };
  void OnOwnFile(const std::string& path, const specs::Node* doc);
  void OnTarget(const std::string& path, const specs::Node* doc);
  // Applies the rollout target of physical cluster `name`, if any, to its spec and document.
  void ApplyTarget(const std::string& name, specs::Node& doc) const;
  Result<controller::Outcome> ReconcileCluster(const std::string& path, controller::FleetView& view,
                                               controller::OutputBatch& out);
  Status Unplace(const std::string& key, const std::string& keep, controller::OutputBatch& out);
  Status WriteShared(const std::string& name, controller::OutputBatch& out);
  std::string PlaceShared(const std::string& key, const SkuPolicy& sku, const std::string& cloud,
                          const std::string& region, const std::vector<std::string>& zones);
  std::set<std::string> Fanout(const std::string& path) const;

  controller::ControllerInfo info_;
  PolicyIndex policy_;
  std::map<std::string, Physical> physical_;                    // by name
  std::unordered_map<std::string, std::string> placement_;      // tenant key → physical name
  std::set<std::string> invalid_;                               // cluster paths found invalid
  std::map<std::string, rollout::Target> targets_;              // rollouts' targets, by name
  // Shared clusters whose tenants changed in this batch: written once at its end, not once per
  // tenant (a batch can add thousands of tenants to a few shared clusters).
  std::set<std::string> dirty_shared_;
};

std::unique_ptr<controller::Controller> MakePkcController();

}  // namespace strata::controllers
