// The work tree side of a command that commits one file on a branch by compare-and-swap (strata
// recover, strata rollout approve/pause/resume/abort): when the repository has a work tree whose
// checked-out branch is the one written, the file is also written in the work tree and the index,
// as `git add` + `git commit` would, and a file with local changes is refused first.
// Errors: kFailedPrecondition for a file with local changes; kInternal when git or the file system
// fails. Not thread-safe (it uses `repo`).
#pragma once

#include <string>
#include <string_view>

#include "core/git.h"

namespace strata::audit {

// The work tree when `branch` is checked out in a repository that has one; "" otherwise.
Result<std::string> CheckedOutWorkTree(const Repository& repo, const std::string& branch);

// kFailedPrecondition when `path` differs in the work tree or the index from HEAD: "<path> has
// local changes in the work tree or the index: commit or discard them before <doing>".
Status RefuseLocalChanges(const Repository& repo, const std::string& path, std::string_view doing);

// Writes `content` at `path` in `work_tree` and stages it in the index.
Status WriteWorkTreeAndIndex(const Repository& repo, const std::string& work_tree,
                             const std::string& path, const std::string& content);

}  // namespace strata::audit
