// The rollout planner: one level-based pass over one rollout. Given the rollout, the fleet's
// physical Kafka clusters, every target file, what the agents report and the time, it says which
// targets to write (clusters released, turned Done or Failed, or returned to their previous
// settings by an abort), the progress to record, and when to look again.
//
// The rules:
//   - Waves take clusters in order: each takes, of the selected clusters that no earlier wave
//     took, those its selector matches, or `percent` of them (rounded up), spread by a stable
//     hash of their names. A cluster released in a wave stays in it.
//   - A cluster is in flight from its release until it has been healthy at its target for the
//     wave's soak (falling over during the soak fails it); a failed one stays in flight until
//     people acknowledge the failures. A wave never has more than maxConcurrent in flight.
//   - The next wave starts when every cluster of the one before is Done and soaked, or Failed;
//     a wave that requiresApproval starts only once it is in approvedWaves. A wave that has
//     started keeps releasing clusters that join it later (a cluster added to the fleet).
//   - A wave with more Failed clusters than maxFailures pauses the rollout (unless people
//     acknowledged that many failures when resuming); so does state: paused. A paused rollout
//     releases nothing but still records clusters turning Done or Failed.
//   - state: aborted returns every cluster released and not yet Done to its previous settings.
//   - A cluster another unfinished rollout has released is held: until that one is done with it,
//     or while that one is unfinished when both change the same setting. A cluster that already
//     has the settings, or had them until a later rollout took it over, counts as Done.
// Deterministic: the same inputs give the same output. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "reconciler/rollout/fleet_cluster.h"
#include "reconciler/rollout/progress.h"
#include "reconciler/rollout/rollout_spec.h"
#include "reconciler/rollout/target.h"

namespace strata::rollout {

// What the agent last reported of a cluster (strata.status).
struct Health {
  std::string phase;    // Ready, Provisioning, Degraded, Failed, …
  std::string release;  // the release it applied
  std::string reason;   // why not healthy
};

struct PlanInput {
  const RolloutSpec& rollout;
  const std::map<std::string, FleetCluster>& clusters;  // by name
  const std::map<std::string, Target>& targets;         // by cluster name, every rollout's
  std::function<const Health*(const std::string& cluster)> health;
  // Other accepted rollouts that are not finished, with what they change. A cluster one of them
  // released is held: for good while it changes a setting this rollout changes too (two rollouts
  // never take turns on a setting), until it is done with the cluster otherwise.
  std::map<std::string, Settings> unfinished_rollouts;
  int64_t now_ms = 0;
};

struct PlanOutput {
  std::vector<Target> writes;  // targets to write, new or changed
  Progress progress;
  int64_t requeue_after_ms = 0;                               // 0: only when something changes
  std::vector<std::string> released, done, failed, reverted;  // cluster names, for logs and events
};

PlanOutput PlanRollout(const PlanInput& input);

}  // namespace strata::rollout
