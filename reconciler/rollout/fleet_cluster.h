// FleetCluster: a physical Kafka cluster as a rollout selects it — read from pkc's output
// (derived/pkc/<org>|shared/<name>.yaml) — and the selector match. A dedicated cluster carries
// its one org and its logical cluster's labels; a shared one the orgs of all its tenants and no
// labels, and matches an org selector only when every tenant is in it (a rollout aimed at some
// orgs must not change a cluster that also serves others). Pure, thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "reconciler/rollout/rollout_spec.h"

namespace strata::rollout {

struct FleetCluster {
  std::string name;         // pkc-acme-orders
  std::string target_path;  // derived/rollout/targets/acme/pkc-acme-orders.yaml
  std::string cloud, region, sku;
  std::set<std::string> orgs;
  std::map<std::string, std::string> labels;
  Settings settings;  // the kafkaVersion and config pkc wrote
};

bool Matches(const Selector& selector, const FleetCluster& cluster);

// derived/pkc/acme/pkc-acme-orders.yaml → derived/rollout/targets/acme/pkc-acme-orders.yaml.
std::string TargetPathFor(const std::string& pkc_path);
// derived/rollout/targets/acme/pkc-acme-orders.yaml → derived/pkc/acme/pkc-acme-orders.yaml.
std::string PkcPathFor(const std::string& target_path);

inline constexpr std::string_view kTargetsDir = "derived/rollout/targets";
inline constexpr std::string_view kProgressDir = "derived/rollout/progress";
// rollouts/<name>.yaml, and the rollout controller's derived/rollout/progress/<name>.yaml.
std::string RolloutPath(const std::string& name);
std::string ProgressPath(const std::string& name);

}  // namespace strata::rollout
