// Controller: one layer of the cake, as the framework sees it.
//
// A controller declares what it reads (input kinds), what it writes (output kinds) and where (its
// prefix in the fleet repo, which it alone owns), and implements Reconcile: given the paths of
// input files that changed, it re-reads current state through the FleetView (level-based: an event
// only names a path) and stages the whole resulting output in the OutputBatch. The framework
// (ControllerRuntime) does the rest: consuming events, queueing, batching many paths into one
// commit, compare-and-swap, retries and reporting.
//
// A controller keeps its own indexes (which physical cluster hosts which tenant, …). They are fed
// only through the watches it declares: the framework calls each watch for every file that
// changes under its directory between two heads, and, for the controller's own prefix, for every
// file it stages. So the indexes always describe "the head plus what I have staged", and the
// framework can roll them back when a commit loses a race.
//
// Reconcile must be deterministic: a function of the files it reads and of the controller's own
// previous output (placements are sticky; the same input gives byte-identical output).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/kafka.h"
#include "core/resource_status.h"
#include "core/status.h"
#include "reconciler/controller/fleet_view.h"
#include "reconciler/controller/output_batch.h"
#include "specs/node.h"

namespace strata::controller {

struct ControllerInfo {
  std::string name;                  // "pkc": also the consumer group, the trailer, the prefix
  std::vector<std::string> inputs;   // kinds whose change events it consumes
  std::vector<std::string> outputs;  // kinds it writes
  std::string prefix;                // "derived/pkc/": every path it writes starts with this
  std::string summary;               // one line for `strata layers`
  // Kinds of lower layers whose change events wake it too, without ordering the layers (the
  // rollout controller sits above pkc, writes what pkc reads, and watches pkc's output the way
  // a controller watches status).
  std::vector<std::string> observes;
};

// What became of one input path.
struct Outcome {
  enum class Type {
    kDone,     // reconciled (whether or not that changed any output)
    kInvalid,  // terminal for this path until it changes: reported once, never retried hot
    kRetry,    // a transient condition (an input not placed yet): requeued with backoff
  };
  Type type = Type::kDone;
  std::string key;                 // the resource key, when known
  std::vector<EventError> errors;  // kInvalid: what is wrong, with file, line and field
  std::string reason;              // kRetry: why
  // kDone and kInvalid: reconcile the path again after this long even if no event names it (a
  // rollout's soak ends with time, not with a change; a refused rollout may be fine once the one
  // it collided with is done). Zero: only when an event names it.
  std::chrono::milliseconds requeue_after{0};

  static Outcome Done() { return {}; }
  static Outcome Invalid(std::string key, std::vector<EventError> errors) {
    return {Type::kInvalid, std::move(key), std::move(errors), "", {}};
  }
  static Outcome Retry(std::string key, std::string reason) {
    return {Type::kRetry, std::move(key), {}, std::move(reason), {}};
  }
};

// Called for each file that changes under a watched directory; `doc` is null when the file is
// gone (or no longer reads as YAML).
using WatchCallback = std::function<void(const std::string& path, const specs::Node* doc)>;

struct Watch {
  std::string dir;  // "derived/pkc" (no trailing slash)
  WatchCallback on_change;
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual const ControllerInfo& info() const = 0;

  // The directories this controller follows, its own prefix included. Called once at start-up.
  virtual std::vector<Watch> Watches() = 0;

  // Reconciles the input files at `paths` (in sorted order) against `view`, staging output in
  // `out`. Returns the outcome of every path it was given, and of any further path it chose to
  // reconcile (a policy change fans out to the clusters it governs); paths without an outcome
  // count as done. A non-OK status aborts the batch: nothing is committed and every path is
  // retried with backoff.
  virtual Result<std::map<std::string, Outcome>> Reconcile(const std::vector<std::string>& paths,
                                                            FleetView& view, OutputBatch& out) = 0;

  // Called after a commit of this controller's has moved the branch (the sync controller moves
  // the satellites' refs here). Failures are logged and retried at the next commit or start-up.
  virtual Status AfterCommit(FleetView& view, const git_oid& commit,
                             const std::vector<std::string>& changed_paths) {
    (void)view, (void)commit, (void)changed_paths;
    return Status::Ok();
  }
  // Forgets every index: after a batch fails half-way, the framework calls Reset and announces
  // the whole head again, so no change of the failed batch survives in memory.
  virtual void Reset() = 0;

  // Called after a batch that reconciled what a rewrite of the branch touched (see InputsBehind),
  // whether or not it committed: a rewrite can change files under the controller's prefix that
  // it then has no reason to write again (sync moves the satellites' refs to main's slices here).
  virtual Status AfterRewrite(FleetView& view) {
    (void)view;
    return Status::Ok();
  }

  // Called once at start-up, after the first view of the head (sync re-checks its refs here).
  virtual Status AfterStart(FleetView& view) {
    (void)view;
    return Status::Ok();
  }

  // The inputs to reconcile so that an output file a rewrite of the branch changed under the
  // controller (a force push that dropped its commits) is written again as they want it; `doc` is
  // the file as one side of the rewrite has it. By default its strata.dev/sources other than
  // policies (a policy governs many outputs, and each output names its own subject too); a
  // directory stands for the input files under it. See rewrite.h.
  virtual std::vector<std::string> InputsBehind(const std::string& path,
                                                const specs::Node& doc) const;

  // Input paths to reconcile once when the runtime starts, whatever the events say: a controller
  // that requeues itself by time (a rollout's soak) picks up its timers after a restart.
  virtual std::vector<std::string> StartPaths() { return {}; }

  // Messages the controller wants on Kafka after AfterCommit or AfterStart (sync announces the
  // satellite refs it moved). The runtime sends them, best effort: they are hints, and a
  // controller never depends on their delivery. Without Kafka they are dropped.
  virtual std::vector<KafkaMessage> TakeNotices() { return {}; }

  // A controller whose output depends on what the agents report (the rollout controller) says
  // so; the runtime then reads strata.status from its start and hands each status to OnStatus,
  // which returns the input paths to reconcile again because of it. OnStatus is called from the
  // runtime's status thread, not the reconcile thread: it must be thread-safe.
  virtual bool FollowsStatus() const { return false; }
  virtual std::vector<std::string> OnStatus(const ResourceStatus& status) {
    (void)status;
    return {};
  }
};

}  // namespace strata::controller
