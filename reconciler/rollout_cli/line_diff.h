// A unified diff of two versions of a small text file (what `strata rollout … --dry-run` shows):
// "--- a/<path>", "+++ b/<path>", then hunks with three lines of context, as `git diff` prints
// them. Lines are matched by a longest common subsequence, so the cost is old × new lines: meant
// for spec files of a few hundred lines (beyond a million pairs the whole file is one hunk).
// Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::rollout_cli {

inline constexpr size_t kDiffContext = 3;

// "" when the two are equal.
std::string UnifiedDiff(const std::string& path, std::string_view before, std::string_view after);

}  // namespace strata::rollout_cli
