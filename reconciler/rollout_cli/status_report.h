// What `strata rollout status NAME` prints about a RolloutSnapshot: the change and the phase, one
// line per wave with its counts and limits, the current batch (the clusters in progress), why
// nothing new is released (soak, approval with the command that approves, paused, the failure
// budget with the failed clusters), and the estimate of the time left. As text for people (bars
// and colours only on a terminal) or as one JSON object with stable field names.
// Pure functions of the snapshot, thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconciler/rollout_cli/rollout_snapshot.h"
#include "reconciler/rollout_cli/time_left.h"

namespace strata::rollout_cli {

// At most this many names of the current batch are printed as text.
inline constexpr size_t kBatchNames = 10;

struct StatusSummary {
  std::vector<std::string> in_progress;  // clusters released and not yet Done, by name
  std::vector<RolloutTarget> failed;     // Failed targets, by name
  std::string approve_wave;  // the wave waiting for approval (waitingFor Approval), else ""
  TimeLeft time_left;
};

StatusSummary Summarise(const RolloutSnapshot& snapshot);

// "strata rollout approve kafka-38 gcp"; "strata rollout resume kafka-38".
std::string ApproveCommand(const std::string& rollout, const std::string& wave);
std::string ResumeCommand(const std::string& rollout);

// `terminal`: draw bars and colours (the caller checks isatty). `now_millis` dates "soak until".
std::string FormatStatusText(const RolloutSnapshot& snapshot, bool terminal, int64_t now_millis);

nlohmann::ordered_json StatusJson(const RolloutSnapshot& snapshot);

}  // namespace strata::rollout_cli
