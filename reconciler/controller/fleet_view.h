// FleetView: the fleet branch at one commit, as a controller reads it, and the watches that keep
// the controller's indexes in step with it.
//
// Advance moves the view to a newer head and, for each watched directory, announces only the
// files that changed under it (a diff of two subtrees, so the cost follows the change, not the
// fleet). The first Advance announces everything under each watched directory.
//
// Owns its Repository handle. Not thread-safe: one controller worker uses it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/git.h"
#include "core/status.h"
#include "specs/diagnostic.h"
#include "specs/node.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::controller {

struct Watch;

// A spec file read at the head and checked against its schema and path rules.
struct LoadedSpec {
  specs::Resource resource;         // resource.valid says whether it passed; tree is set
  specs::Diagnostics diagnostics;   // why not
};

// A file's bytes at the head, with its blob id.
struct Blob {
  git_oid id{};
  std::string bytes;
};

class FleetView {
 public:
  FleetView(Repository repo, std::shared_ptr<const specs::SchemaSet> schemas);
  ~FleetView();
  FleetView(const FleetView&) = delete;
  FleetView& operator=(const FleetView&) = delete;

  Repository& repo() { return repo_; }
  const specs::SchemaSet& schemas() const { return *schemas_; }
  specs::SchemaValidator& validator() { return *validator_; }
  const git_oid& commit() const { return commit_; }
  const git_oid& tree() const { return tree_; }
  const std::string& commit_hex() const { return commit_hex_; }

  void SetWatches(std::vector<Watch> watches);
  // Moves to `commit`, announcing to each watch the files that changed under its directory.
  Status Advance(const git_oid& commit);
  // Forgets the head: the next Advance announces every watched file again.
  void Rewind() {
    commit_ = git_oid{};
    tree_ = git_oid{};
    commit_hex_.clear();
  }
  // Announces `paths` again as the head has them: undoes, in the watchers, what a batch staged
  // but could not commit.
  Status Reannounce(const std::vector<std::string>& paths);
  // Tells the watches covering `path` about a staged document (null: a staged removal).
  void Announce(const std::string& path, const specs::Node* doc);

  // The file at `path`; nullopt when the head has none.
  Result<std::optional<Blob>> ReadBlob(const std::string& path);
  // A spec file, loaded and checked as the reconciler checks it; nullopt when absent.
  Result<std::optional<LoadedSpec>> ReadSpec(const std::string& path);
  // The files under `dir` at the head.
  Result<std::vector<TreeFile>> ListUnder(const std::string& dir);

 private:
  Status AnnounceChanges(const Watch& watch, const git_oid& old_tree, const git_oid& new_tree);

  Repository repo_;
  std::shared_ptr<const specs::SchemaSet> schemas_;
  std::unique_ptr<specs::SchemaValidator> validator_;
  std::vector<Watch> watches_;
  git_oid commit_{};
  git_oid tree_{};
  std::string commit_hex_;
};

// A YAML document from bytes a controller wrote (no schema check); nullopt when it does not read.
std::optional<specs::Node> ParseDoc(const std::string& path, const std::string& bytes);

}  // namespace strata::controller
