// Target: what a rollout has released to one physical Kafka cluster (a RolloutTarget,
// derived/rollout/targets/<org>|shared/<name>.yaml), written by the rollout controller alone and
// read by pkc. It holds the rollout-managed settings of the cluster (a version, broker settings),
// cumulative across rollouts, so a later rollout of other settings keeps what an earlier one set;
// and how far the release got. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reconciler/rollout/rollout_spec.h"
#include "specs/node.h"

namespace strata::rollout {

enum class TargetPhase { kInProgress, kDone, kFailed, kReverted };
std::string_view TargetPhaseName(TargetPhase phase);

struct Target {
  std::string cluster;  // the PhysicalKafkaCluster's name
  std::string path;     // its file
  std::string rollout;
  std::string wave;
  std::string release;  // token the agent reports back once it applied this
  Settings settings;    // the managed settings now
  Settings previous;    // before this release (restored by an abort)
  TargetPhase phase = TargetPhase::kInProgress;
  int64_t released_at_ms = 0;
  int64_t done_at_ms = 0;  // 0: not done
  std::string reason;      // Failed: what the agent said
};

// "kafka-38-1a2b3c4d": the rollout's name and a hash of the settings (a different one for a
// revert), so an agent's report names exactly which release it applied.
std::string ReleaseToken(const std::string& rollout, const Settings& settings, bool revert);

// The spec of a RolloutTarget document for `target`.
specs::Node TargetSpec(const Target& target);
// A target from a RolloutTarget document at `path`; nullopt when it does not read as one.
std::optional<Target> TargetFromDoc(const std::string& path, const specs::Node& doc);

// The settings a cluster runs with a target over pkc's own: the target's version when it has
// one, its broker settings over the cluster's.
Settings Overlay(const Settings& base, const Settings& managed);
// True when `have` already has every setting `change` asks for.
bool Satisfies(const Settings& have, const Settings& change);

}  // namespace strata::rollout
