#include "reconciler/rollout/fleet_cluster.h"

namespace strata::rollout {
namespace {

constexpr std::string_view kPkcDir = "derived/pkc/";

}  // namespace

bool Matches(const Selector& s, const FleetCluster& c) {
  if (!s.clouds.empty() && s.clouds.count(c.cloud) == 0) return false;
  if (!s.regions.empty() && s.regions.count(c.region) == 0) return false;
  if (!s.skus.empty() && s.skus.count(c.sku) == 0) return false;
  if (!s.orgs.empty()) {
    if (c.orgs.empty()) return false;
    for (const std::string& org : c.orgs) {
      if (s.orgs.count(org) == 0) return false;
    }
  }
  for (const auto& [key, value] : s.labels) {
    auto it = c.labels.find(key);
    if (it == c.labels.end() || it->second != value) return false;
  }
  return true;
}

std::string RolloutPath(const std::string& name) { return "rollouts/" + name + ".yaml"; }

std::string ProgressPath(const std::string& name) {
  return std::string(kProgressDir) + "/" + name + ".yaml";
}

std::string TargetPathFor(const std::string& pkc_path) {
  return std::string(kTargetsDir) + "/" + pkc_path.substr(kPkcDir.size());
}

std::string PkcPathFor(const std::string& target_path) {
  return std::string(kPkcDir) + target_path.substr(kTargetsDir.size() + 1);
}

}  // namespace strata::rollout
