// PolicyIndex: the platform team's policy (SKUs, org policies, satellites) as the controllers
// need it, kept current by watches on policy/. Small: a fleet has a handful of each.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "reconciler/controller/controller.h"

namespace strata::controllers {

struct SkuPolicy {
  std::string name;
  bool dedicated = true;
  int64_t brokers_per_cku = 3;
  int64_t multi_zone_min_cku = 2;
  int64_t tenants_per_cluster = 20;
  int64_t shared_cluster_brokers = 6;
  std::vector<std::string> networking;
};

struct OrgRules {
  std::string name;
  std::string residency = "any";
};

struct SatelliteInfo {
  std::string id;
  std::string cloud;
  std::string region;
  std::vector<std::string> zones;
  int64_t max_k8s_clusters = 1;
  int64_t max_nodes = 1;
};

class PolicyIndex {
 public:
  // Watches on policy/skus, policy/orgs and policy/satellites.
  std::vector<controller::Watch> Watches();
  void Reset() {
    skus_.clear();
    orgs_.clear();
    satellites_.clear();
  }

  const SkuPolicy* Sku(const std::string& name) const;
  const OrgRules* Org(const std::string& name) const;
  const SatelliteInfo* Satellite(const std::string& id) const;
  // Satellites of a cloud and region, by id.
  std::vector<const SatelliteInfo*> SatellitesIn(const std::string& cloud,
                                                 const std::string& region) const;
  const std::map<std::string, SatelliteInfo>& satellites() const { return satellites_; }
  // The zones of a region: those of its first satellite, sorted; empty when none serves it.
  std::vector<std::string> ZonesOf(const std::string& cloud, const std::string& region) const;

 private:
  std::map<std::string, SkuPolicy> skus_;
  std::map<std::string, OrgRules> orgs_;
  std::map<std::string, SatelliteInfo> satellites_;
};

// The residency check every layer applies: an error naming the org's rule and the region, or
// nullopt when the placement is allowed. An unknown region is an error too.
std::optional<std::string> ResidencyViolation(const OrgRules& org, const std::string& cloud,
                                              const std::string& region);

}  // namespace strata::controllers
