// Rewrites of the fleet branch (force pushes), as a controller has to handle them.
//
// The reconciler turns every move of the branch into change events, a force push included: it
// publishes the net change from what it published last to the new head. Two effects of a rewrite
// reach no controller through those events, and the runtime deals with them here:
//
//  - A rewrite can drop a controller's own commits. The branch is then back on a line where the
//    controller's inputs already read as they do now, so no event names them, while its outputs
//    are older ones (a deleted cluster's physical cluster is back, a resize undone).
//    PathsToRederive finds, from the two trees, the inputs to reconcile again.
//  - A controller that reconciles on a head the reconciler never publishes (the branch went back
//    and forward again within moments) acts on a state that no later event undoes. So a
//    controller reconciles only on a head whose history holds the reconciler's checkpoint
//    (ReconcilerHasPublished); after a rewrite it waits the moment the reconciler takes.
//
// A controller restarted after a rewrite finds it through the head it last reconciled on, which
// the runtime keeps in the fleet repo under SeenRef.
#pragma once

#include <string>
#include <vector>

#include "core/git.h"
#include "core/status.h"
#include "reconciler/controller/controller.h"

namespace strata::controller {

// "refs/strata/controllers/main/pkc": the head the controller last reconciled on. Only the
// runtime of that controller writes it; it keeps that commit reachable for the diff after a
// restart.
std::string SeenRef(const std::string& branch, const std::string& controller);

// True when `head` holds in its history the commit the reconciler of `branch` has published up
// to, or when `repo` has no reconciler checkpoint at all (a scratch repository, a test that
// drives controllers without a reconciler). False while a rewrite is not yet published.
Result<bool> ReconcilerHasPublished(const Repository& repo, const std::string& branch,
                                    const git_oid& head);

// The paths `controller` has to reconcile because the branch moved from `from` to `to` by a
// rewrite: every file of one of its input kinds that differs between the two trees, and the
// inputs behind every file under its prefix that differs (Controller::InputsBehind, asked of the
// old and the new version; a directory among them stands for the input files under it at `to`).
// Sorted; empty when `from` is zero or `to` descends from it (a move forward, which the
// reconciler's events cover).
Result<std::vector<std::string>> PathsToRederive(const Repository& repo, const Controller& controller,
                                                 const git_oid& from, const git_oid& to);

}  // namespace strata::controller
