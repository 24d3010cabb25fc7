// Reconciler: git is the outbox, and this is its change-data capture. It publishes every commit of
// a fleet branch as change events on Kafka, in order, and moves the branch's checkpoint past a
// commit only once Kafka has acknowledged every event of it.
//
// For each commit on the first-parent line after the checkpoint (see checkpoint.h), it diffs the
// tree Kafka holds against the commit's tree, descending only into subtrees whose ids differ, and
// publishes one event per changed resource (see change_builder.h). With no checkpoint it publishes
// the whole tree (a bootstrap), in batches. When the checkpoint is no longer on the branch (a force
// push) it publishes the net difference to the new head and warns once, numbering its events
// kForcePushSequenceGap above the checkpoint. A commit whose objects cannot be read is retried,
// then skipped: it is reported on strata.status and listed in the checkpoint, and its changes
// are published with the next commit that can be read.
//
// A crash at any point loses nothing: the checkpoint has not moved, and the restart publishes the
// same events again with the same sequence numbers, which consumers ignore. Not thread-safe; two
// reconcilers on one branch (in one process or two) are safe, the checkpoint's compare-and-swap
// decides.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/git.h"
#include "core/kafka.h"
#include "core/status.h"
#include "reconciler/reconcile/change_builder.h"
#include "reconciler/reconcile/checkpoint.h"
#include "specs/schema_set.h"

namespace strata::reconcile {

// After a force push, event numbers continue this far above the checkpoint's: above anything a
// failed or killed run may have published from the abandoned line (a commit has far fewer files).
inline constexpr uint64_t kForcePushSequenceGap = uint64_t{1} << 32;

struct ReconcilerOptions {
  std::string repo_path;  // a local repository, bare or not (a remote is mirrored first)
  std::string branch = "main";
  std::string source;  // CloudEvents source; "/strata/<branch>" when empty
  int threads = 0;     // for big changes; 0: one per core
  std::chrono::milliseconds ack_timeout{30000};
  size_t bootstrap_batch = 10000;  // events per Kafka batch in a bootstrap
  int read_attempts = 3;           // before a commit that cannot be read is skipped
  int last_good_lookback = 1000;   // commits searched for a rejected file's last good state
  std::chrono::milliseconds read_retry_delay{200};
  // Called as a bootstrap goes on (files done, files in all: specs and any other file).
  std::function<void(size_t, size_t)> progress;
};

// What one RunOnce did.
struct ReconcileReport {
  size_t commits = 0;  // commits published (a force push or bootstrap counts one)
  size_t events = 0;
  size_t rejected = 0;
  size_t races_lost = 0;  // checkpoint swaps another reconciler won
  bool bootstrap = false;
  bool force_push = false;
  std::vector<std::string> skipped;  // commits skipped in this run
  std::string head;                  // the commit the checkpoint is at now
};

class Reconciler {
 public:
  // kNotFound when the repository cannot be opened.
  static Result<std::unique_ptr<Reconciler>> Create(const ReconcilerOptions& options,
                                                    std::shared_ptr<const specs::SchemaSet> schemas,
                                                    Producer* producer);

  // Publishes everything after the checkpoint up to the branch's head. kNotFound when the branch
  // does not exist; kUnavailable when Kafka did not acknowledge (nothing is lost: call again);
  // kFailedPrecondition when the producer is broken and must be made anew.
  Result<ReconcileReport> RunOnce();

 private:
  Reconciler(ReconcilerOptions options, Repository repo,
             std::shared_ptr<const specs::SchemaSet> schemas, Producer* producer);
  // Publishes `commit` on top of `checkpoint` and moves it; returns the new checkpoint.
  Result<Checkpoint> PublishCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                   ReconcileReport* report);
  // One attempt. When an object of the commit cannot be read, sets `*read_error` (worth retrying,
  // then skipping); any other error is from Kafka or the checkpoint.
  // `*produced_up_to` grows to the highest sequence number handed to Kafka.
  Result<Checkpoint> TryPublishCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                      ReconcileReport* report, Status* read_error,
                                      uint64_t* produced_up_to);
  Result<Checkpoint> SkipCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                const Status& why, uint64_t produced_up_to,
                                ReconcileReport* report);
  Status Produce(const std::vector<ChangeEvent>& events);
  // In a bootstrap, each file that is invalid at the head is preceded by its last valid state
  // from the branch's history, so that rebuilding Kafka from git keeps the last good state (a
  // consumer must never see a cluster vanish because its newest edit was rejected).
  Result<std::vector<ChangeEvent>> WithLastGoodStates(std::vector<ChangeEvent> events,
                                                      const CommitInfo& head,
                                                      uint64_t first_sequence);
  // The newest valid state of `path` in the first-parent history before `head`; nullopt when
  // there is none within the lookback.
  Result<std::optional<ChangeEvent>> LastGoodState(const std::string& path, const CommitInfo& head);

  ReconcilerOptions options_;
  Repository repo_;
  ChangeBuilder builder_;
  Producer* producer_;
  std::string warned_force_push_;  // the head we last warned about
};

}  // namespace strata::reconcile
