#include "reconciler/audit/path_history.h"

#include <string_view>

#include "core/handles.h"
#include "reconciler/audit/resource_path.h"
#include "specs/kinds.h"

namespace strata::audit {
namespace {

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  for (std::string_view part : specs::SplitPath(path)) parts.emplace_back(part);
  return parts;
}

// The id of entry `name` in tree `tree`; zero when the tree is zero or has no such entry.
Result<git_oid> EntryId(git_repository* repo, const git_oid& tree, const std::string& name) {
  git_oid none{};
  if (IsZeroOid(tree)) return none;
  git_tree* raw = nullptr;
  if (int rc = git_tree_lookup(&raw, repo, &tree); rc != 0) return GitError(rc, "reading a tree");
  TreePtr owned(raw);
  const git_tree_entry* entry = git_tree_entry_byname(raw, name.c_str());
  if (entry == nullptr) return none;
  return *git_tree_entry_id(entry);
}

// The blob ids at `parts` under two trees, descending only while the ids along the path differ.
// Both come back zero when the path is the same in both (the common case: nothing to see).
struct BlobPair {
  git_oid before{};
  git_oid after{};
};
Result<BlobPair> CompareAlong(git_repository* repo, git_oid before, git_oid after,
                              const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    if (git_oid_equal(&before, &after)) return BlobPair{};
    ASSIGN_OR_RETURN(before, EntryId(repo, before, part));
    ASSIGN_OR_RETURN(after, EntryId(repo, after, part));
  }
  if (git_oid_equal(&before, &after)) return BlobPair{};
  return BlobPair{before, after};
}

// When `change` created a tenant file: the same kind and name removed under another org in the
// same commit, if any ("" otherwise). Diffs only the commit's tenants/ trees.
Result<std::string> RenamedFrom(const Repository& repo, const git_oid& parent_tree,
                                const git_oid& tree, const std::string& path, const git_oid& blob) {
  if (!path.starts_with("tenants/")) return std::string();
  ASSIGN_OR_RETURN(git_oid old_tenants, repo.SubtreeAt(parent_tree, "tenants"));
  ASSIGN_OR_RETURN(git_oid new_tenants, repo.SubtreeAt(tree, "tenants"));
  ASSIGN_OR_RETURN(auto changed, repo.DiffTrees(old_tenants, new_tenants));
  std::string_view rest = std::string_view(path).substr(path.find('/', 8));  // "/kafka/orders.yaml"
  std::string found;
  for (const ChangedFile& f : changed) {
    if (!f.deleted() || !std::string_view(f.path).ends_with(rest)) continue;
    std::string org = f.path.substr(0, f.path.size() - rest.size());
    if (org.find('/') != std::string::npos) continue;
    std::string candidate = PathInOrg(path, org);
    if (candidate == path) continue;
    // Two candidates: prefer the one whose bytes moved unchanged, else the first in git's order.
    if (found.empty() || git_oid_equal(&f.old_oid, &blob)) found = candidate;
  }
  return found;
}

}  // namespace

Result<PathWalk> WalkPathHistory(const Repository& repo, const git_oid& head,
                                 const std::string& path, const PathWalkOptions& options) {
  PathWalk walk;
  std::string current = path;
  std::vector<std::string> parts = Components(current);
  git_oid at = head;
  while (!IsZeroOid(at)) {
    git_commit* raw = nullptr;
    if (int rc = git_commit_lookup(&raw, repo.raw(), &at); rc != 0) {
      return GitError(rc, "reading commit " + OidToHex(at));
    }
    CommitPtr commit(raw);
    if (options.since != 0 && git_commit_time(raw) < options.since) break;
    walk.walked.push_back(at);
    git_oid tree = *git_commit_tree_id(raw);
    git_oid parent{};
    git_oid parent_tree{};
    if (git_commit_parentcount(raw) > 0) {
      parent = *git_commit_parent_id(raw, 0);
      ASSIGN_OR_RETURN(parent_tree, repo.TreeOfCommit(parent));
    }
    ASSIGN_OR_RETURN(BlobPair blobs, CompareAlong(repo.raw(), parent_tree, tree, parts));
    if (!IsZeroOid(blobs.before) || !IsZeroOid(blobs.after)) {
      PathChange change{at, blobs.before, blobs.after, current, current};
      if (change.created() && options.follow_renames) {
        ASSIGN_OR_RETURN(std::string from,
                         RenamedFrom(repo, parent_tree, tree, current, blobs.after));
        if (!from.empty()) {
          ASSIGN_OR_RETURN(TreeFile old_file, repo.FindPath(parent_tree, from));
          change.old_blob = old_file.oid;
          change.old_path = from;
          current = from;
          parts = Components(current);
        }
      }
      walk.changes.push_back(std::move(change));
      if (options.limit != 0 && walk.changes.size() >= options.limit) break;
    }
    at = parent;
  }
  return walk;
}

}  // namespace strata::audit
