// ChangeBuilder: turns the files that differ between two trees into change events, one per
// resource: the new document (upserted), a delete, or a rejection with every problem found.
//
// Each changed spec is read once and checked on its own (YAML, JSON Schema, path and metadata);
// the checks that span files (references, quotas, residency) belong to the pull-request gate and
// to the controllers. Files outside the spec areas are skipped, and so are satellite slices (the
// agents read those from git). A file whose path breaks the layout is a rejection keyed
// "File/<path>" and goes to strata.status, since it has no kind topic.
//
// Big changes (a bootstrap) are loaded on `threads` workers, each with its own repository handle
// and schema validator. Thread-compatible: one Build at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/git.h"
#include "specs/schema_set.h"

namespace strata::reconcile {

// What every event of one commit shares.
struct CommitContext {
  std::string branch;
  std::string source;
  std::string commit;
  std::string parent;
  std::string author;
  std::string time;
  std::string controller;
  std::vector<std::string> causes;
};

// The context of `info` as the reconciler publishes it (`parent` is the reconciled commit it was
// diffed against, empty for a bootstrap).
CommitContext ContextOf(const CommitInfo& info, const std::string& branch,
                        const std::string& source, const std::string& parent);

// The topic an event goes to: its kind's, or strata.status for a file without one.
std::string TopicOf(const ChangeEvent& event);

class ChangeBuilder {
 public:
  ChangeBuilder(std::string repo_path, std::shared_ptr<const specs::SchemaSet> schemas,
                int threads);
  ~ChangeBuilder();

  // The events for `changes` in their order, numbered from `first_sequence`. `old_tree` is where
  // deleted files are read from (to know a derived file's kind). kNotFound/kInternal when an
  // object cannot be read: the commit cannot be published as it is.
  Result<std::vector<ChangeEvent>> Build(const Repository& repo,
                                         const std::vector<ChangedFile>& changes,
                                         const CommitContext& context, uint64_t first_sequence);

 private:
  struct Worker;
  std::string repo_path_;
  std::shared_ptr<const specs::SchemaSet> schemas_;
  int threads_;
  std::unique_ptr<Worker> local_;  // serves small changes on the calling thread
};

}  // namespace strata::reconcile
