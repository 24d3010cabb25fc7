// RolloutSnapshot: one rollout as the fleet branch holds it at one commit — the Rollout people
// wrote (rollouts/<name>.yaml), the rollout controller's RolloutProgress
// (derived/rollout/progress/<name>.yaml, absent until the controller has seen the rollout) and its
// RolloutTargets (derived/rollout/targets/<org|shared>/<pkc>.yaml whose spec.rollout is the
// rollout). What `strata rollout status` shows. Plain values; the reader keeps nothing.
//
// ReadRollout errors: kInvalidArgument for a name that is not a DNS label; kNotFound when the
// rollout file is absent; kFailedPrecondition when the rollout or progress file is not readable
// YAML; kInternal when git cannot be read. A target file that cannot be read is skipped (logged).
// Not thread-safe (it uses `repo`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/git.h"
#include "reconciler/rollout/fleet_cluster.h"

namespace strata::rollout_cli {

// One wave as the Rollout defines it.
struct WaveSpec {
  std::string name;
  std::string max_concurrent;  // as written: "5" or "25%"
  std::string max_failures;    // as written; "" when absent
  std::string soak;            // "10m"; "" when absent
  bool requires_approval = false;
};

struct RolloutSpec {
  std::string name;
  std::string path;                                         // rollouts/<name>.yaml
  std::string kafka_version;                                // "" when the change sets none
  std::vector<std::pair<std::string, std::string>> config;  // in file order
  std::string state;                                        // running | paused | aborted
  std::vector<std::string> approved_waves;
  int64_t acknowledged_failures = 0;
  std::vector<WaveSpec> waves;
};

// One wave as the controller counts it (RolloutProgress spec.waves[]).
struct WaveProgress {
  std::string name;
  std::string state;  // Pending | Active | Complete
  int64_t clusters = 0;
  int64_t pending = 0;
  int64_t in_progress = 0;
  int64_t done = 0;
  int64_t failed = 0;
  int64_t max_concurrent = 0;
  int64_t max_failures = 0;
  std::string started_at;    // "" when absent
  std::string completed_at;  // "" when absent
};

struct RolloutProgress {
  std::string phase;        // Running | Paused | Aborted | Complete | Refused
  std::string waiting_for;  // None | Soak | Approval | Paused | FailureBudget | Concurrency
  std::string reason;
  std::string soak_until;
  int64_t failures = 0;
  int64_t acknowledged_failures = 0;
  int64_t unassigned = 0;
  std::vector<WaveProgress> waves;
};

// One physical cluster the rollout has released (RolloutTarget spec).
struct RolloutTarget {
  std::string cluster;
  std::string path;
  std::string wave;
  std::string release;
  std::string phase;  // InProgress | Done | Failed | Reverted
  std::string released_at;
  std::string done_at;  // "" until Done
  std::string reason;   // why it Failed
};

struct RolloutSnapshot {
  git_oid commit{};
  RolloutSpec rollout;
  std::optional<RolloutProgress> progress;  // nullopt: not started by the controller yet
  std::vector<RolloutTarget> targets;       // sorted by cluster name
};

using rollout::kTargetsDir;
using rollout::ProgressPath;  // derived/rollout/progress/<name>.yaml
using rollout::RolloutPath;   // rollouts/<name>.yaml

// The progress file of `name` in `tree`; nullopt when absent.
Result<std::optional<RolloutProgress>> ReadProgress(const Repository& repo, const git_oid& tree,
                                                    const std::string& name);

Result<RolloutSnapshot> ReadRollout(const Repository& repo, const git_oid& commit,
                                    const std::string& name);

}  // namespace strata::rollout_cli
