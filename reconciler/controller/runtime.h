// ControllerRuntime: runs one Controller against a fleet repo and Kafka — the Kubernetes
// controller loop, in C++.
//
//   Kafka (the controller's input kinds, consumer group "strata-controller-<name>")
//     → WorkQueue of input paths (deduplicated; retries with exponential backoff)
//     → a batch of paths: read the newest head, Reconcile, stage output
//     → one commit on the fleet branch, moved by compare-and-swap, with the trailers
//       Strata-Controller and Strata-Cause; on a lost race, the batch is reconciled again on the
//       new head, so only this batch's files are re-applied, never the whole prefix
//     → the reconciler is woken, and turns the commit into events for the next layer.
//
// A rewrite of the branch (a force push) can undo the controller's own commits without naming any
// of its inputs; the runtime finds what it touched and reconciles that too (rewrite.h).
//
// Invalid input is terminal for its path: reported once on strata.status (a `rejected` event with
// the controller's name), forgotten by the queue, and reconsidered when the file changes again.
// Consumer offsets are committed only once every event read so far has been reconciled, so a
// crash loses nothing: the events are read again (level-based, so a replay is harmless).
//
// Run uses two threads: one consumes, one reconciles. ProcessBatch runs one batch inline, for
// tests and benchmarks that drive a controller without Kafka.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/git.h"
#include "core/kafka.h"
#include "core/metrics.h"
#include "core/status.h"
#include "reconciler/controller/controller.h"
#include "reconciler/controller/fleet_view.h"
#include "reconciler/controller/work_queue.h"
#include "specs/schema_set.h"

namespace strata::controller {

struct RuntimeOptions {
  std::string repo;              // the fleet repo (a local path; bare is the norm)
  std::string branch = "main";
  KafkaProperties kafka;         // bootstrap.servers and friends; unused by ProcessBatch
  std::string group_id;          // default "strata-controller-<name>"
  std::chrono::milliseconds linger{2};  // how long a batch waits for more paths after the first
  size_t max_batch = 5000;       // paths per commit
  int max_races = 20;            // lost compare-and-swaps in a row before the batch backs off
  BackoffPolicy backoff{std::chrono::milliseconds(100), std::chrono::seconds(60)};
  bool notify_reconcilers = true;  // wake reconcilers on the repo after each commit
};

struct RuntimeStats {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> paths{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> files_written{0};
  std::atomic<uint64_t> races_lost{0};
  std::atomic<uint64_t> invalid_reported{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> rewrites{0};  // rewrites of the branch found under the view
};

// What one batch did.
struct BatchResult {
  git_oid commit{};  // zero when nothing changed
  size_t files = 0;
  int races_lost = 0;
  std::map<std::string, Outcome> outcomes;
};

class ControllerRuntime {
 public:
  ~ControllerRuntime();
  // kNotFound when the repo cannot be opened; kInvalidArgument for a bad Kafka property.
  static Result<std::unique_ptr<ControllerRuntime>> Create(
      std::unique_ptr<Controller> controller, RuntimeOptions options,
      std::shared_ptr<const specs::SchemaSet> schemas);

  // Consumes and reconciles until `stop` is set. kUnavailable when Kafka fails for good.
  Status Run(const std::atomic<bool>& stop);

  // Reconciles `paths` on the newest head and commits what changed; `causes` are the commits
  // named in the Strata-Cause trailers. Outcomes are reported as Run reports them.
  Result<BatchResult> ProcessBatch(const std::vector<std::string>& paths,
                                   const std::vector<std::string>& causes);

  Controller& controller() { return *controller_; }
  // True while Run's loops run (the consumer may still be joining its group): the controller's
  // readiness.
  bool running() const { return running_.load(); }
  const RuntimeStats& stats() const { return stats_; }
  WorkQueue& queue() { return queue_; }

 private:
  ControllerRuntime(std::unique_ptr<Controller> controller, RuntimeOptions options,
                    Repository repo, std::shared_ptr<const specs::SchemaSet> schemas);
  Status Start();
  // Rewrites of the branch (reconciler/controller/rewrite.h), handled only while Run runs:
  // queues what a rewrite touched since SeenRef, after a restart;
  Status RederiveAfterRewriteWhileAway(const git_oid& head);
  // waits until the reconciler has published `head` (re-read while waiting), or kUnavailable;
  Status AwaitPublished(git_oid* head);
  // moves SeenRef to the view's commit;
  void RecordSeen();
  // whether the branch head no longer descends from the view's commit.
  Result<bool> RewrittenUnderUs();
  void ConsumeLoop(const std::atomic<bool>& stop, Status* failure);
  std::vector<std::string> NextBatch();
  Result<git_oid> Commit(const OutputBatch& out, const git_oid& head,
                         const std::vector<std::string>& causes);
  void Report(const std::map<std::string, Outcome>& outcomes);
  // A rejection (with its errors) or an acceptance of `key` by this controller, for strata.status.
  KafkaMessage StatusEvent(ChangeType type, const std::string& key, const std::string& path,
                           const std::vector<EventError>& errors) const;
  void SendNotices();
  // The stats, queue depth and consumer lag as metrics labelled with the controller's name.
  metrics::CollectorHandle ExportMetrics();

  std::unique_ptr<Controller> controller_;
  RuntimeOptions options_;
  std::string ref_;
  FleetView view_;
  WorkQueue queue_;
  std::unique_ptr<Producer> status_producer_;  // rejections and notices; null without Kafka
  bool started_ = false;
  bool live_ = false;        // set by Run: wait for the reconciler after rewrites, keep SeenRef
  git_oid seen_written_{};   // where SeenRef points, as far as this runtime knows
  // Paths a rewrite touched, not yet reconciled; SeenRef stays where it is until there are none.
  std::set<std::string> rederive_pending_;
  RuntimeStats stats_;
  std::atomic<int64_t> consumer_lag_{-1};  // sampled by the consumer thread; -1 unknown
  std::atomic<bool> running_{false};

  std::mutex causes_mu_;
  std::unordered_map<std::string, std::set<std::string>> causes_;  // path → commits behind it
  struct Reported {
    std::string key;   // the key the rejection was reported under
    std::string what;  // its errors, so an unchanged rejection is not reported again
  };
  std::unordered_map<std::string, Reported> reported_;  // path → its rejection, while invalid
};

// "pkc: 3 files updated" with its trailers.
std::string ControllerCommitMessage(const std::string& controller, size_t added, size_t updated,
                                    size_t removed, const std::vector<std::string>& causes);

}  // namespace strata::controller
