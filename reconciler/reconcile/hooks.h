// The git hooks that wake reconcilers: post-receive in a bare repository, post-commit and
// post-merge in one with a work tree. Each runs `strata hook notify` (see wake.h) and never blocks
// or fails the push or commit: with no reconciler running the wake-up is lost, and the
// reconciler's next start catches up.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace strata::reconcile {

// The path of the running strata binary (what the hooks call back); "strata" if unknown.
std::string SelfExecutable();

// Writes the hooks into the repository at `repo_path`, calling `strata`; returns the files
// written. A hook that exists and was not written by strata is kept: kAlreadyExists saying how to
// add the line by hand, unless `force`. kNotFound when the repository cannot be opened.
Result<std::vector<std::string>> InstallWakeHooks(const std::string& repo_path,
                                                  const std::string& strata, bool force);

}  // namespace strata::reconcile
