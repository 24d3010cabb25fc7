#include "reconciler/reconcile/watch.h"

#include <git2.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "core/git.h"
#include "core/metrics.h"
#include "reconciler/reconcile/wake.h"

namespace strata::reconcile {
namespace {

using std::chrono::milliseconds;

void SleepUnlessStopped(milliseconds duration, const std::atomic<bool>& stop) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min(milliseconds(50), duration));
  }
}

struct WatchMetrics {
  metrics::Histogram& pass_seconds;
  metrics::Counter& passes_failed;
  metrics::Counter& commits;
  metrics::Counter& events;
  metrics::Counter& rejected;
  metrics::Counter& skipped;

  explicit WatchMetrics(const std::string& branch)
      : pass_seconds(metrics::DefaultRegistry().GetHistogram(
            "strata_reconcile_pass_seconds",
            "Time of one reconcile pass that published something", {{"branch", branch}})),
        passes_failed(metrics::DefaultRegistry().GetCounter(
            "strata_reconcile_failures_total", "Reconcile passes that failed (retried)",
            {{"branch", branch}})),
        commits(metrics::DefaultRegistry().GetCounter(
            "strata_reconcile_commits_total", "Fleet commits published as change events",
            {{"branch", branch}})),
        events(metrics::DefaultRegistry().GetCounter(
            "strata_events_published_total", "Change events acknowledged by Kafka",
            {{"branch", branch}})),
        rejected(metrics::DefaultRegistry().GetCounter(
            "strata_specs_rejected_total", "Spec files published as rejected (invalid)",
            {{"branch", branch}})),
        skipped(metrics::DefaultRegistry().GetCounter(
            "strata_reconcile_skipped_commits_total", "Commits that could not be read and were skipped",
            {{"branch", branch}})) {}
};

}  // namespace

Status Watch(const WatchOptions& options, std::shared_ptr<const specs::SchemaSet> schemas,
             const std::atomic<bool>& stop, std::atomic<bool>* caught_up) {
  auto producer = Producer::Create(options.kafka);
  if (!producer.ok()) return producer.status();
  auto reconciler = Reconciler::Create(options.reconciler, schemas, producer->get());
  if (!reconciler.ok()) return reconciler.status();
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(options.reconciler.repo_path));
  std::string git_dir = git_repository_path(repo.raw());
  auto listener = WakeListener::Listen(git_dir);
  if (!listener.ok()) spdlog::warn("no hook wake-ups, polling only: {}", listener.status().ToString());

  WatchMetrics metrics(options.reconciler.branch);
  milliseconds backoff{0};
  while (!stop.load()) {
    if (options.before_pass) {
      if (Status s = options.before_pass(); !s.ok()) {
        spdlog::warn("{}; publishing what the local repository has", s.ToString());
      }
    }
    auto started = std::chrono::steady_clock::now();
    auto report = (*reconciler)->RunOnce();
    if (report.ok()) {
      backoff = milliseconds(0);
      if (caught_up != nullptr) caught_up->store(true);
      if (report->commits > 0 || !report->skipped.empty()) {
        metrics.pass_seconds.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        metrics.commits.Inc(static_cast<double>(report->commits));
        metrics.events.Inc(static_cast<double>(report->events));
        metrics.rejected.Inc(static_cast<double>(report->rejected));
        metrics.skipped.Inc(static_cast<double>(report->skipped.size()));
        if (options.on_report) options.on_report(*report);
      }
    } else {
      if (caught_up != nullptr) caught_up->store(false);
      metrics.passes_failed.Inc();
      spdlog::error("reconcile failed: {}", report.status().ToString());
      if (report.status().code() == StatusCode::kFailedPrecondition) {
        auto fresh = Producer::Create(options.kafka);
        if (fresh.ok()) {
          auto remade = Reconciler::Create(options.reconciler, schemas, fresh->get());
          if (!remade.ok()) return remade.status();
          reconciler = std::move(remade);
          producer = std::move(fresh);
        }
      }
      backoff = std::min<milliseconds>(std::max<milliseconds>(backoff * 2, milliseconds(250)),
                                       std::chrono::seconds(30));
      // Wait out the backoff, whatever wakes us: Kafka is not back because a commit arrived.
      SleepUnlessStopped(backoff, stop);
      continue;
    }
    if (listener.ok()) {
      (*listener)->Wait(options.poll, stop);
    } else {
      SleepUnlessStopped(options.poll, stop);
    }
  }
  return Status::Ok();
}

}  // namespace strata::reconcile
