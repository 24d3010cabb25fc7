// Progress: where one rollout has got to (a RolloutProgress, derived/rollout/progress/<name>.yaml),
// computed by the planner on every pass and written by the rollout controller when it changes.
// `strata rollout status` and the strata.rollouts events show the same fields. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "specs/node.h"

namespace strata::rollout {

enum class RolloutPhase { kRunning, kPaused, kAborted, kComplete, kRefused };
enum class WaitingFor { kNone, kSoak, kApproval, kPaused, kFailureBudget, kConcurrency };
enum class WaveState { kPending, kActive, kComplete };

std::string_view RolloutPhaseName(RolloutPhase phase);
std::string_view WaitingForName(WaitingFor waiting);
std::string_view WaveStateName(WaveState state);

struct WaveProgress {
  std::string name;
  WaveState state = WaveState::kPending;
  int64_t clusters = 0;
  int64_t pending = 0;      // not released (including those another rollout still holds)
  int64_t in_progress = 0;  // released, not yet healthy at the target
  int64_t soaking = 0;      // healthy, soak not over: still counted against maxConcurrent
  int64_t done = 0;         // healthy at the target (soaking or not)
  int64_t failed = 0;
  int64_t max_concurrent = 0;
  int64_t max_failures = 0;
  int64_t started_at_ms = 0;
  int64_t completed_at_ms = 0;
  bool operator==(const WaveProgress&) const = default;
};

struct Progress {
  std::string rollout;
  RolloutPhase phase = RolloutPhase::kRunning;
  WaitingFor waiting_for = WaitingFor::kNone;
  std::string reason;
  int64_t soak_until_ms = 0;
  int64_t failures = 0;
  int64_t acknowledged_failures = 0;
  int64_t unassigned = 0;
  std::vector<WaveProgress> waves;
  bool operator==(const Progress&) const = default;
};

// The spec of a RolloutProgress document.
specs::Node ProgressSpec(const Progress& progress);

}  // namespace strata::rollout
