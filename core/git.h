// Git access for strata, on libgit2: open a repository, resolve revisions, walk and diff trees,
// read blobs, and write trees and commits.
//
// A Repository owns its git_repository handle. It is NOT thread-safe: a thread that reads in
// parallel opens its own Repository on the same path (cheap: the object database is shared on disk).
// Every function returns a Status: kNotFound for a missing revision or path, kInvalidArgument for
// a malformed revision, kInternal for any other libgit2 failure (with git's own message).
#pragma once

#include <git2.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/handles.h"
#include "core/status.h"

namespace strata {

// Initialises libgit2 for the life of the process; called by Repository::Open and friends.
void EnsureGitInitialised();

// Turns a libgit2 return code plus git_error_last() into a Status prefixed with `what`.
Status GitError(int rc, std::string_view what);

std::string OidToHex(const git_oid& oid);
inline bool IsZeroOid(const git_oid& oid) { return git_oid_is_zero(&oid) != 0; }

// One file of a tree, with its path from the tree's root.
struct TreeFile {
  std::string path;
  git_oid oid;
  git_filemode_t mode;
};

// A path whose blob differs between two trees. An absent side has a zero oid and mode 0.
struct ChangedFile {
  std::string path;
  git_oid old_oid;
  git_oid new_oid;
  git_filemode_t old_mode;
  git_filemode_t new_mode;
  bool added() const { return old_mode == 0; }
  bool deleted() const { return new_mode == 0; }
};

// What a commit says about itself.
struct CommitInfo {
  git_oid id{};
  git_oid tree{};
  std::vector<git_oid> parents;
  std::string author_name;
  std::string author_email;
  int64_t author_time = 0;  // seconds since the epoch
  // When the commit was made on its branch (a rebase or a merge renews it; the author time does not).
  int64_t committer_time = 0;
  std::string message;
  // "Key: value" trailers of the message's last paragraph, in order ("Strata-Cause", "<sha>").
  std::vector<std::pair<std::string, std::string>> trailers;
};

class Repository {
 public:
  static Result<Repository> Open(const std::string& path);
  // The repository git's environment names (GIT_DIR, GIT_OBJECT_DIRECTORY, and the alternates a
  // receive-pack quarantine adds): what a hook run by git opens, so it sees the objects being
  // pushed before git accepts them.
  static Result<Repository> OpenFromEnvironment();
  // Creates a new repository (bare or with a work tree) with `initial_branch` as HEAD.
  static Result<Repository> Init(const std::string& path, bool bare,
                                 const std::string& initial_branch);

  git_repository* raw() const { return repo_.get(); }
  std::string path() const;

  // A revision in git's syntax ("main", "HEAD~2", a sha) to the commit it names.
  Result<git_oid> ResolveCommit(const std::string& revision) const;
  Result<git_oid> TreeOfCommit(const git_oid& commit) const;
  Result<CommitInfo> ReadCommit(const git_oid& commit) const;
  // Every blob, symlink and submodule entry under `tree`, in git's order.
  Result<std::vector<TreeFile>> ListFiles(const git_oid& tree) const;
  // The files under directory `dir` ("tenants/acme") of `tree`, with full paths; empty when absent.
  Result<std::vector<TreeFile>> ListFilesUnder(const git_oid& tree, const std::string& dir) const;
  // Files that differ between two trees. Descends only into subtrees whose ids differ, so the
  // cost follows the size of the change, not of the trees. A zero `old_tree` means "empty tree".
  // The entry at `path` ("tenants/acme/kafka/orders.yaml") of `tree`; kNotFound when absent.
  Result<TreeFile> FindPath(const git_oid& tree, const std::string& path) const;
  Result<std::vector<ChangedFile>> DiffTrees(const git_oid& old_tree, const git_oid& new_tree) const;
  Result<std::string> ReadBlob(const git_oid& blob) const;
  // The size of an object, from its header, without inflating it.
  Result<size_t> ObjectSize(const git_oid& id) const;

  // Where `ref` points; kNotFound when it does not exist.
  Result<git_oid> ReadRef(const std::string& ref) const;
  // Moves `ref` to `target` only if it is at `expected` now (a zero `expected`: only if it does
  // not exist yet). kAborted when another writer got there first; nothing changes then.
  Status CompareAndSwapRef(const std::string& ref, const git_oid& expected, const git_oid& target,
                           const std::string& log_message) const;
  // The commits on the first-parent line after `from` up to and including `to`, oldest first
  // (a zero `from`: from the root). kFailedPrecondition when `from` is not on that line, as after
  // a force push.
  Result<std::vector<git_oid>> FirstParentRange(const git_oid& from, const git_oid& to) const;

  // Fetches `refspecs` ("+refs/heads/main:refs/heads/main") from `url` (a path, file://, git://,
  // https://) into this repository. kUnavailable when the remote cannot be reached or read.
  Status Fetch(const std::string& url, const std::vector<std::string>& refspecs) const;

  // Copies `commit`, its ancestors and every tree and blob they reach that this repository lacks,
  // from `source` (another repository on this machine), and nothing else. It descends only into
  // commits and trees missing here, so after the first copy the cost follows the change, not the
  // size of the history or of the tree: what a fetch from a local path should cost (libgit2's
  // local transport packs whole trees, seconds on a large fleet). kNotFound when `source` lacks
  // an object.
  Status CopyObjectsFrom(const Repository& source, const git_oid& commit) const;

  // One change to a tree: `content` set writes that blob at `path`, unset removes the path.
  struct TreeUpdate {
    std::string path;
    std::optional<std::string> content;
  };
  // `base` with `updates` applied (directories made and emptied ones dropped as git does); only
  // the trees on the updated paths are rewritten, so the cost follows the change, not the tree.
  // A zero `base` is the empty tree. Removing an absent path is not an error.
  Result<git_oid> UpdateTree(const git_oid& base, const std::vector<TreeUpdate>& updates) const;
  // The id `content` would have as a blob, without writing it.
  static git_oid HashBlob(std::string_view content);
  // The tree at directory `dir` of `tree`; a zero oid when there is no such directory.
  Result<git_oid> SubtreeAt(const git_oid& tree, const std::string& dir) const;

  // Writes a tree holding `files` (path → content, '/'-separated) and returns its id.
  Result<git_oid> WriteTree(const std::map<std::string, std::string>& files) const;
  // Commits `tree` with the given parents and moves `ref` to it (creating it if absent; an empty
  // `ref` moves nothing). Author and committer are the same identity, dated now.
  Result<git_oid> Commit(const std::string& ref, const git_oid& tree,
                         const std::vector<git_oid>& parents, const std::string& message,
                         const std::string& author_name, const std::string& author_email) const;

  // Signs the commit object text (without its signature header) and returns the armored
  // signature git stores in the `gpgsig` header; any error it returns stops the commit.
  using CommitSigner = std::function<Result<std::string>(std::string_view commit_text)>;
  // As Commit, but the commit carries `sign`'s signature in its gpgsig header (what
  // `git verify-commit` checks), and no ref is moved: move it with CompareAndSwapRef.
  Result<git_oid> CommitSigned(const git_oid& tree, const std::vector<git_oid>& parents,
                               const std::string& message, const std::string& author_name,
                               const std::string& author_email, const CommitSigner& sign) const;

  // The gpgsig header of a commit and the text it signs. kNotFound when the commit is unsigned.
  struct CommitSignature {
    std::string signature;
    std::string signed_text;
  };
  Result<CommitSignature> ReadCommitSignature(const git_oid& commit) const;
  // Whether `commit` is `ancestor` or has it in its history.
  Result<bool> Descends(const git_oid& commit, const git_oid& ancestor) const;

 private:
  explicit Repository(RepoPtr repo) : repo_(std::move(repo)) {}
  RepoPtr repo_;
};

}  // namespace strata
