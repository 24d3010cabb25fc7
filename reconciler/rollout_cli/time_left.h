// The estimate of a rollout's time left, from the doneAt times of its Done targets: the pace of
// the last done clusters (the time between the first and the last of them, over the clusters
// done in between) × the clusters not done yet. It counts cluster changes only: soaks and
// approvals still ahead add to it. Plus the instants and durations it reads and prints.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::rollout_cli {

// How many of the latest doneAt times set the pace.
// Large: a thousand clusters rolling at once finish in bursts, and a few of them would say "0s".
inline constexpr size_t kPaceWindow = 1000;

struct TimeLeft {
  enum class Kind { kDone, kUnknown, kEstimate };
  Kind kind = Kind::kUnknown;
  int64_t millis = 0;              // kEstimate: the time left
  int64_t millis_per_cluster = 0;  // kEstimate: the pace
  size_t based_on = 0;             // kEstimate: how many doneAt times set the pace
  int64_t not_done = 0;            // clusters not done yet
};

// `done_at_millis` in any order. kDone when `complete`; kUnknown with fewer than two done times.
TimeLeft EstimateTimeLeft(std::vector<int64_t> done_at_millis, int64_t not_done, bool complete);

// For people: 42s, 12m30s, 1h05m, 2d03h. Negative durations print as 0s.
std::string FormatDuration(int64_t millis);

// A --interval: "500ms", "2s", "1m", "1h" (a plain number is seconds); nullopt otherwise or <= 0.
std::optional<int64_t> ParseIntervalMillis(std::string_view text);

}  // namespace strata::rollout_cli
