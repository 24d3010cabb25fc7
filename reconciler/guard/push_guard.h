// PushGuard: the server-side guard of a fleet repository — what its pre-receive hook runs before
// git accepts a push (`strata hook install --server`, `strata hook pre-receive`).
//
// On the fleet branch, every commit the push adds is checked against the commit before it (a
// merge only for what differs from all its parents):
//   - a controller's commit (its Strata-Controller trailer and its identity,
//     "<name>@controllers.strata.local", must agree) writes only under that controller's prefix;
//   - a person's commit writes nothing under derived/ or satellites/, and every spec file it adds
//     or changes passes validation (schema and path rules; the fleet-wide checks are the
//     controllers', which report on strata.status).
// A satellite's ref (refs/heads/satellites/<id>) only moves forward, onto the sync controller's
// slice commits for that satellite (trailer Strata-Satellite: <id>), and is never deleted; the
// fleet branch is never deleted. Other refs pass untouched.
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
Result<std::vector<Refusal>> CheckPush(const Repository& repo,
                                       const std::vector<RefUpdate>& updates,
                                       const std::string& branch = "main");

// "refused refs/heads/main: commit 1a2b3c4d (Ada <ada@x>): derived/pkc/x.yaml: [people-write-derived] …"
std::string FormatRefusal(const Refusal& refusal);

}  // namespace strata::guard
