// PushGuard: the server-side guard of a fleet repository — what its pre-receive hook runs before
// git accepts a push (`strata hook install --server`, `strata hook pre-receive`).
//
// On the fleet branch, every commit the push adds is checked against the commit before it (a
// merge only for what differs from its trusted parents: the branch's old tip and the push's own
// commits, so a merge cannot bring back an old state of derived/):
//   - a person's commit writes nothing under derived/ or satellites/, and every spec file it adds
//     or changes passes validation (schema and path rules; the fleet-wide checks are the
//     controllers', which report on strata.status);
//   - a controller's commit (a Strata-Controller trailer or a controller's identity,
//     "<name>@controllers.strata.local"): strata's controllers commit to the repository in place,
//     never through a push, so a pushed one is refused, since anyone can write a trailer and an
//     author. Only where controllers push through the git host's own authentication
//     (`trust_pushed_controller_commits`) is it accepted, when trailer and identity agree and it
//     writes only under that controller's prefix.
// A satellite's ref (refs/heads/satellites/<id>) is the sync controller's: a push moves it only
// with trusted controller commits, only forward, onto slice commits for that satellite (trailer
// Strata-Satellite: <id>), and never deletes it. refs/strata/ (the reconciler's checkpoints) and
// the fleet branch's deletion are refused. Other refs pass untouched.
// The cost follows the push: only the new commits are read, and only the files they change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/git.h"
#include "core/status.h"

namespace strata::guard {

// One line of pre-receive's standard input.
struct RefUpdate {
  git_oid old_oid{};  // zero: the ref is created
  git_oid new_oid{};  // zero: the ref is deleted
  std::string ref;
};

// Why a push is refused: the commit, the file and the rule.
struct Refusal {
  std::string ref;
  std::string commit;   // full id ("" for a ref deletion)
  std::string author;   // "Ada <ada@example.com>"
  std::string file;     // "tenants/acme/kafka/orders.yaml:15:3" when a position is known
  std::string rule;     // "people-write-derived", "controller-outside-prefix", "validation", …
  std::string message;  // what is wrong, in words
};

// "old new ref" lines; kInvalidArgument naming the line that does not parse.
Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view input);

// Every reason to refuse `updates`; empty when the push may go in. kInternal when the
// repository cannot be read.
struct GuardOptions {
  std::string branch = "main";
  bool trust_pushed_controller_commits = false;
};
Result<std::vector<Refusal>> CheckPush(const Repository& repo,
                                       const std::vector<RefUpdate>& updates,
                                       const GuardOptions& options = {});

// "refused refs/heads/main: commit 1a2b3c4d (Ada <ada@x>): derived/pkc/x.yaml:
// [people-write-derived] …"
std::string FormatRefusal(const Refusal& refusal);

}  // namespace strata::guard
