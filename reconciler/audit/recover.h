// Recovery of a resource deleted or broken by mistake: its last good version (the newest version
// of its file on the branch's first-parent history that passes validation — the embedded schemas
// and the path rules — and differs from the head), or its version at a given revision, written
// back as a new commit on the branch. What `strata recover KEY` does.
//
// PlanRecover only reads; CommitRecover writes one commit, moving the branch by compare-and-swap.
// In a repository with a work tree whose checked-out branch is the one recovered, it also writes
// the file in the work tree and the index, as `git add` + `git commit` would (and refuses when the
// file has local changes). Errors: kInvalidArgument for a malformed key or author;
// kNotFound for an unknown branch or revision, or a key absent at --at; kFailedPrecondition when
// there is no valid version to recover, the --at version is invalid, or the file has local
// changes; kAborted when the file changed on the branch while recovering. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/git.h"
#include "reconciler/audit/history.h"

namespace strata::audit {

struct RecoverRequest {
  std::string key;
  std::string branch = "main";
  std::string at;  // a revision; empty: the last good version
};

struct RecoverPlan {
  std::string key;
  std::string path;
  std::string branch;
  git_oid head{};
  git_oid head_blob{};       // zero: the file is absent at the head
  std::string head_problem;  // "deleted", or the first validation error at the head; "" if valid
  // Set when there is nothing to write (the head is valid and no --at, or --at equals the head).
  std::string nothing_to_do;
  git_oid source_commit{};  // the commit that wrote the recovered version (or the --at commit)
  int64_t source_time = 0;
  std::string source_subject;
  std::string content;  // the recovered file
  FileDiff diff;        // against the head
  std::string message;  // the commit message CommitRecover writes
};

Result<RecoverPlan> PlanRecover(const Repository& repo, const RecoverRequest& request);

struct Author {
  std::string name;
  std::string email;
};
// "Name <email>"; kInvalidArgument otherwise.
Result<Author> ParseAuthor(const std::string& text);
// user.name and user.email of the repository's git configuration (with the global ones);
// kNotFound when either is missing.
Result<Author> AuthorFromConfig(const Repository& repo);

// Writes `plan` as a commit on its branch; returns the commit. Retries a lost race on a new head
// that has the same version of the file; kAborted when the file itself changed meanwhile.
Result<git_oid> CommitRecover(const Repository& repo, const RecoverPlan& plan,
                              const Author& author);

}  // namespace strata::audit
