// Watch: the reconciler's long-running loop (`strata reconcile --watch`, and the reconciler inside
// `strata up`). Each pass publishes what is new on the branch; between passes it sleeps for the
// poll interval, or less when a git hook or webhook wakes it (see wake.h). A failed pass backs off
// (250 ms doubling to 30 s) whatever wakes it, and a broken producer is made anew, so Kafka being
// down costs retries, never events.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "core/kafka.h"
#include "core/status.h"
#include "reconciler/reconcile/reconciler.h"
#include "specs/schema_set.h"

namespace strata::reconcile {

struct WatchOptions {
  ReconcilerOptions reconciler;
  KafkaProperties kafka;
  std::chrono::milliseconds poll{5000};
  // Runs before each pass (a remote repo's mirror fetch). A failure is logged; the pass goes on
  // with what the local repository has.
  std::function<Status()> before_pass;
  // Called after each pass that published something or skipped a commit.
  std::function<void(const ReconcileReport&)> on_report;
};

// Runs until `stop` is set. `*caught_up` (when given) is true while the last pass succeeded, i.e.
// Kafka holds the branch as the checkpoint says: the reconciler's readiness.
// Returns an error only when the reconciler cannot be made at all (the repo cannot be opened,
// a Kafka property is wrong).
Status Watch(const WatchOptions& options, std::shared_ptr<const specs::SchemaSet> schemas,
             const std::atomic<bool>& stop, std::atomic<bool>* caught_up = nullptr);

}  // namespace strata::reconcile
