// ComputeUsage: the billing view of a fleet branch — cluster-hours and CKU-hours of every
// KafkaCluster (tenants/<org>/kafka/<name>.yaml) between two instants, read from the branch's
// first-parent history and weighted by commit time (the committer time of each first-parent
// commit: when its change landed on the branch).
//
// The state at `from` is the tree of the last first-parent commit dated at or before `from` (read
// directly, not replayed); every later commit changes it at its own time; `to` closes every
// interval. Only history reachable from the branch now counts (after a force push, the rewritten
// line). A cluster billed in one org and renamed into another bills the new org from the rename
// commit on. A file that a commit makes invalid (bad YAML, refused by the schema, metadata that
// disagrees with its path) keeps billing its last valid state, as the control plane keeps running
// the last good state; each such commit and file comes back as a warning.
//
// With `org` set only tenants/<org>/ is read: the walk compares that subtree's id between each
// commit and its parent and diffs only where it changed, so the cost follows the commits in the
// window and that org's changes, not the size of the fleet.
//
// Errors: kNotFound when the branch does not exist; kInvalidArgument when `to` is before `from`;
// kInternal when git cannot read an object. Not thread-safe with respect to `repo`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/git.h"
#include "reconciler/audit/usage_ledger.h"

namespace strata::audit {

struct UsageQuery {
  std::string branch = "main";
  int64_t from = 0;  // seconds since the epoch
  int64_t to = 0;
  std::string org;  // empty: every org
};

// A commit that left a KafkaCluster file invalid.
struct UsageWarning {
  std::string commit;  // full sha
  std::string file;
  std::string problem;     // the first thing wrong with it ("spec.cku: must be >= 1")
  bool kept_last = false;  // a last valid state bills on; false: there was none, nothing bills
};

struct UsageReport {
  std::string head;  // the branch's commit the answer was read from
  std::vector<UsageRow> rows;
  std::vector<UsageWarning> warnings;
  bool org_found = true;  // with a query org: whether tenants/<org>/ existed in the window
  size_t commits_read = 0;
};

Result<UsageReport> ComputeUsage(const Repository& repo, const UsageQuery& query);

}  // namespace strata::audit
