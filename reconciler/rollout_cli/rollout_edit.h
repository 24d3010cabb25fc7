// The edits people make to a running rollout, each one commit on the fleet branch that changes
// rollouts/<name>.yaml (`strata rollout approve|pause|resume|abort`):
//   approve WAVE  adds WAVE to spec.approvedWaves
//   pause         spec.state: paused
//   resume        spec.state: running, and spec.acknowledgedFailures: the failures the rollout
//                 controller counts now (its RolloutProgress spec.failures), so a rollout it paused
//                 at its failure budget goes on and only new failures count against the budget
//   abort         spec.state: aborted (for good: an aborted rollout is neither paused nor resumed
//                 nor approved again)
// The file is rewritten in canonical form (specs/canonical_writer.h), keeping every other field,
// and must still pass its schema and path rules. PlanEdit only reads; CommitEdit writes one
// commit and moves the branch by compare-and-swap, planning again on the new head when another
// writer got there first (the edit is re-applied to whatever the file says then). In a repository
// whose work tree has the branch checked out it also writes the file and the index, as
// `git add` + `git commit` would, and refuses when the file has local changes.
//
// Errors: kInvalidArgument for a name that is not a DNS label or a wave the rollout does not have
// (naming its waves); kNotFound for an unknown branch or an absent rollout; kFailedPrecondition
// for an edit an aborted rollout refuses, a rollout file that does not read as YAML or would not
// be valid, or local changes; kAborted after five lost races in a row. Not thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/git.h"
#include "reconciler/audit/recover.h"

namespace strata::rollout_cli {

enum class RolloutAction { kApprove, kPause, kResume, kAbort };
std::string_view RolloutActionName(RolloutAction action);  // "approve", "pause", …

struct EditRequest {
  std::string name;
  std::string branch = "main";
  RolloutAction action = RolloutAction::kPause;
  std::string wave;  // approve only
};

struct EditPlan {
  std::string path;  // rollouts/<name>.yaml
  git_oid head{};    // the branch head it was planned on
  std::string before;
  std::string after;
  std::string message;        // the commit message
  std::string nothing_to_do;  // set when the file already says so: no commit
};

Result<EditPlan> PlanEdit(const Repository& repo, const EditRequest& request);

struct EditOutcome {
  EditPlan plan;     // as applied on the head the commit went on
  git_oid commit{};  // zero when there was nothing to do
};

Result<EditOutcome> CommitEdit(const Repository& repo, const EditRequest& request,
                               const audit::Author& author);

}  // namespace strata::rollout_cli
