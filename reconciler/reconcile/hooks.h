// The git hooks strata installs. The wake hooks: post-receive in a bare repository, post-commit and
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

// The server-side guard: a pre-receive hook in the bare repository at `repo_path` that runs
// `strata hook pre-receive --branch BRANCH` (see reconciler/guard/push_guard.h), with
// --trust-pushed-controller-commits when asked; returns the file written. kInvalidArgument for a
// repository with a work tree; kAlreadyExists as above.
Result<std::string> InstallGuardHook(const std::string& repo_path, const std::string& strata,
                                     const std::string& branch, bool trust_pushed_controller_commits,
                                     bool force);

}  // namespace strata::reconcile
