// The first-parent history of one path: which commits of a branch changed the blob at the path,
// newest first, following a tenant resource renamed between orgs (removed under one org and added
// under another, same kind and name, in one commit) back under its old path.
//
// The walk is path-limited: for each commit it compares the ids of the trees along the path with
// its first parent's and descends only while they differ, so a commit that touched other files
// costs a root-tree lookup, and the cost follows the length of the history walked, not the size
// of the fleet. Only commits reachable from `head` by first parents count, so commits a force
// push dropped are never seen.
//
// Errors: kInternal when libgit2 cannot read an object. Not thread-safe (it uses `repo`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/git.h"

namespace strata::audit {

// One commit that changed the blob at a path.
struct PathChange {
  git_oid commit{};
  git_oid old_blob{};    // zero: the path was absent before this commit (created)
  git_oid new_blob{};    // zero: absent after it (deleted)
  std::string path;      // where the resource lives after this commit
  std::string old_path;  // where it lived before: `path`, or the path it was renamed from
  bool created() const { return IsZeroOid(old_blob); }
  bool deleted() const { return IsZeroOid(new_blob); }
  bool renamed() const { return old_path != path; }
};

struct PathWalkOptions {
  int64_t since = 0;           // stop at the first commit committed before this (seconds); 0: none
  size_t limit = 0;            // stop after this many changes; 0: all
  bool follow_renames = true;  // follow an org-to-org rename of a tenant resource
};

struct PathWalk {
  std::vector<PathChange> changes;  // newest first
  // Every first-parent commit walked, newest (head) first: the commits a change could have caused.
  std::vector<git_oid> walked;
};

Result<PathWalk> WalkPathHistory(const Repository& repo, const git_oid& head,
                                 const std::string& path, const PathWalkOptions& options = {});

}  // namespace strata::audit
