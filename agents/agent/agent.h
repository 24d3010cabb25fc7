// Agent: one per satellite. It pulls its own signed slice, applies it through a Driver, keeps its
// progress in a state directory, and reports what it observes on strata.status.
//
//   fetch refs/heads/satellites/<id> only (git:// or https://; from a local path or file://, the
//     objects of that ref the agent lacks are copied directly, which costs what the change does)
//     → verify the tip: signed by a trusted Ed25519 key (git's SSH signature format) and a
//       descendant of the last commit taken, so a forged, unsigned or replayed (older) slice is
//       refused, reported, and nothing of it is applied
//     → diff it against the commit taken before (level-based: an agent that was away for an hour
//       goes straight to the newest slice; intermediate states are never replayed)
//     → step each changed resource through the driver until it is Ready (or gone), retrying errors
//       with backoff; a newer slice replaces the desired state of work in flight
//     → once nothing is pending, the slice commit is recorded as applied.
//
// It wakes on a SliceNotice from Kafka and also polls, so it goes on working with Kafka down; with
// the control plane down it changes nothing and the data plane runs as it is. A periodic drift
// check compares the data plane with the desired state, heals it and reports the drift.
//
// State directory: repo.git (a bare repository holding only this satellite's slice) and agent.json
// (the satellite, the commit taken as target and the last one fully applied), plus whatever the
// driver keeps. A restart continues from there.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agents/agent/driver.h"
#include "agents/agent/notice_listener.h"
#include "agents/agent/status_reporter.h"
#include "core/git.h"
#include "core/kafka.h"
#include "core/metrics.h"

namespace strata::agent {

struct AgentOptions {
  std::string satellite;
  std::string repo_url;       // the fleet repo: a path or a URL
  std::string state_dir;
  std::string trusted_keys;   // file of trusted public keys (read again at each verification)
  KafkaProperties kafka;      // empty: no notices, no status (polling only)
  std::chrono::milliseconds poll{5000};
  std::chrono::milliseconds drift_interval{30000};
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{30000};
  // When pending work is due; tests replace it to move time by hand.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct AgentStats {
  std::atomic<uint64_t> fetches{0};
  std::atomic<uint64_t> fetch_failures{0};
  std::atomic<uint64_t> slices_taken{0};
  std::atomic<uint64_t> slices_refused{0};
  std::atomic<uint64_t> steps{0};
  std::atomic<uint64_t> step_errors{0};
  std::atomic<uint64_t> applied{0};  // resources that reached Ready or were removed
  std::atomic<uint64_t> drift_found{0};
};

class Agent {
 public:
  // kInvalidArgument for bad options; kInternal when the state directory cannot be used.
  static Result<std::unique_ptr<Agent>> Create(AgentOptions options, std::unique_ptr<Driver> driver);
  ~Agent();

  // Works until `stop` is set: syncs on each notice and poll, steps due work, checks drift.
  Status Run(const std::atomic<bool>& stop);

  // One sync: fetch, verify, take the new slice. OK when the repo could not be reached (the
  // agent keeps what it has); the refusal of a slice is reported, and returned as kPermissionDenied.
  Status Sync();
  // Steps every pending resource whose time has come; returns how many are still pending.
  size_t StepDue();
  // Finds and queues drift; returns how many resources drifted. With `report_all`, the observed
  // state of every resource that did not drift is reported too (what Run does at start).
  size_t CheckDrift(bool report_all = false);
  // Asks Run to sync now (what a notice does).
  void Wake();

  std::string target_commit() const;
  std::string applied_commit() const;
  size_t pending() const { return pending_.size(); }
  // True once a sync in Run has reached the fleet repo and taken (or confirmed) a trusted slice:
  // the agent's readiness. An unreachable repo or a refused slice keeps it false.
  bool synced() const { return synced_.load(); }
  const AgentStats& stats() const { return stats_; }
  StatusReporter& reporter() { return *reporter_; }

 private:
  struct Work {
    std::optional<SliceResource> desired;  // unset: remove `last`
    SliceResource last;
    int attempts = 0;
    std::chrono::steady_clock::time_point next{};
    // The last status published for it, without its time: a step that observes nothing new (a
    // Degraded cluster retried, a broker still starting) sends nothing, each change sends one.
    std::string reported;
  };

  Agent(AgentOptions options, std::unique_ptr<Driver> driver, Repository repo);
  Status Load();
  Status Fetch();
  Status Persist() const;
  Status Verify(const git_oid& tip) const;
  void Refuse(const git_oid& tip, const Status& why);
  void Take(const SliceResource& resource);
  // After `removed_entry` is removed: queues every other entry of the same resource `key` to be
  // applied again (a move whose removal came in a later slice than its apply).
  void ReapplyElsewhere(const std::string& key, const std::string& removed_entry);
  // Reports what is observed of `r`. With `last_reported`, a report equal to it (but for the time)
  // is not sent again, and a sent one is kept there.
  void Publish(const SliceResource& r, const Observed& observed,
               std::string* last_reported = nullptr);
  void PublishSatellite(const std::string& phase, const std::vector<StatusCondition>& conditions);
  std::chrono::milliseconds Backoff(int attempts) const;
  // The stats and the queue's length as metrics labelled with the satellite.
  metrics::CollectorHandle ExportMetrics();

  AgentOptions options_;
  std::unique_ptr<Driver> driver_;
  Repository repo_;
  std::unique_ptr<Repository> source_;  // the fleet repo, when it is a local path
  std::string ref_;
  git_oid target_{};   // the newest verified slice commit taken
  git_oid applied_{};  // the newest slice commit wholly applied
  git_oid refused_{};  // the last tip refused, so it is reported once
  std::string fleet_commit_;  // the target's Strata-Cause
  std::map<std::string, SliceResource> desired_;  // entry → resource, at target_
  std::map<std::string, Work> pending_;           // entry → work to do
  std::chrono::steady_clock::time_point next_drift_check_{};
  AgentStats stats_;
  std::atomic<size_t> pending_count_{0};  // pending_.size() for other threads (metrics)
  std::atomic<bool> synced_{false};

  std::unique_ptr<StatusReporter> reporter_;
  std::unique_ptr<NoticeListener> listener_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
};

}  // namespace strata::agent
