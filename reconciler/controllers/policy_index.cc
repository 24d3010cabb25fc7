#include "reconciler/controllers/policy_index.h"

#include <algorithm>

#include "reconciler/controllers/derived_doc.h"
#include "specs/regions.h"

namespace strata::controllers {

std::vector<controller::Watch> PolicyIndex::Watches() {
  std::vector<controller::Watch> watches;
  watches.push_back({"policy/skus", [this](const std::string& path, const specs::Node* doc) {
                       std::string name = StemOf(path);
                       if (doc == nullptr) {
                         skus_.erase(name);
                         return;
                       }
                       const specs::Node* spec = doc->Find("spec");
                       if (spec == nullptr) return;
                       SkuPolicy sku;
                       sku.name = name;
                       sku.dedicated = spec->StringAt("tenancy") != "multi-tenant";
                       // The schema keeps these ≥ 1; a file that slipped past it is not
                       // allowed to make a cluster of zero brokers.
                       sku.brokers_per_cku = std::max<int64_t>(1, IntAt(*spec, "brokersPerCku", 3));
                       sku.multi_zone_min_cku = IntAt(*spec, "multiZoneMinCku", 2);
                       sku.tenants_per_cluster =
                           std::max<int64_t>(1, IntAt(*spec, "tenantsPerCluster", 20));
                       sku.shared_cluster_brokers =
                           std::max<int64_t>(3, IntAt(*spec, "sharedClusterBrokers", 6));
                       sku.networking = StringsAt(spec->Find("networking"));
                       skus_[name] = std::move(sku);
                     }});
  watches.push_back({"policy/orgs", [this](const std::string& path, const specs::Node* doc) {
                       std::string name = StemOf(path);
                       if (doc == nullptr) {
                         orgs_.erase(name);
                         return;
                       }
                       const specs::Node* spec = doc->Find("spec");
                       if (spec == nullptr) return;  // not a policy: keep the last good one
                       OrgRules org;
                       org.name = name;
                       if (!spec->StringAt("dataResidency").empty()) {
                         org.residency = std::string(spec->StringAt("dataResidency"));
                       }
                       orgs_[name] = std::move(org);
                     }});
  watches.push_back(
      {"policy/satellites", [this](const std::string& path, const specs::Node* doc) {
         std::string id = StemOf(path);
         if (doc == nullptr) {
           satellites_.erase(id);
           return;
         }
         const specs::Node* spec = doc->Find("spec");
         if (spec == nullptr) return;
         SatelliteInfo sat;
         sat.id = id;
         sat.cloud = std::string(spec->StringAt("cloud"));
         sat.region = std::string(spec->StringAt("region"));
         sat.zones = StringsAt(spec->Find("zones"));
         std::sort(sat.zones.begin(), sat.zones.end());
         sat.zones.erase(std::unique(sat.zones.begin(), sat.zones.end()), sat.zones.end());
         if (const specs::Node* capacity = spec->Find("capacity"); capacity != nullptr) {
           sat.max_k8s_clusters = IntAt(*capacity, "maxK8sClusters", 1);
           sat.max_nodes = IntAt(*capacity, "maxNodes", 1);
         }
         satellites_[id] = std::move(sat);
       }});
  return watches;
}

const SkuPolicy* PolicyIndex::Sku(const std::string& name) const {
  auto it = skus_.find(name);
  return it == skus_.end() ? nullptr : &it->second;
}

const OrgRules* PolicyIndex::Org(const std::string& name) const {
  auto it = orgs_.find(name);
  return it == orgs_.end() ? nullptr : &it->second;
}

const SatelliteInfo* PolicyIndex::Satellite(const std::string& id) const {
  auto it = satellites_.find(id);
  return it == satellites_.end() ? nullptr : &it->second;
}

std::vector<const SatelliteInfo*> PolicyIndex::SatellitesIn(const std::string& cloud,
                                                           const std::string& region) const {
  std::vector<const SatelliteInfo*> out;
  for (const auto& [id, sat] : satellites_) {
    if (sat.cloud == cloud && sat.region == region) out.push_back(&sat);
  }
  return out;
}

std::vector<std::string> PolicyIndex::ZonesOf(const std::string& cloud,
                                              const std::string& region) const {
  std::vector<const SatelliteInfo*> sats = SatellitesIn(cloud, region);
  return sats.empty() ? std::vector<std::string>() : sats.front()->zones;
}

std::optional<std::string> ResidencyViolation(const OrgRules& org, const std::string& cloud,
                                              const std::string& region) {
  const specs::Region* r = specs::FindRegion(cloud, region);
  if (r == nullptr) return cloud + " has no region " + region;
  if (specs::ResidencyAllows(org.residency, *r)) return std::nullopt;
  return "org " + org.name + " requires " + org.residency + " data residency; " + cloud + " " +
         region + " is outside it";
}

}  // namespace strata::controllers
