#include "reconciler/rollout/planner.h"

#include <algorithm>
#include <limits>

#include "reconciler/rollout/time_text.h"

namespace strata::rollout {
namespace {

// Where each cluster of a wave stands.
enum class Standing { kPending, kHeld, kInProgress, kSoaking, kDone, kFailed };

// A stable spread over names, so "10% of AWS" is not the first 10% in alphabetical order.
uint64_t Spread(const std::string& name) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return hash;
}

bool SpreadOrder(const FleetCluster* a, const FleetCluster* b) {
  uint64_t x = Spread(a->name), y = Spread(b->name);
  return x != y ? x < y : a->name < b->name;
}

bool SharesASetting(const Settings& a, const Settings& b) {
  if (!a.kafka_version.empty() && !b.kafka_version.empty()) return true;
  for (const auto& [key, value] : a.config) {
    if (b.config.count(key) != 0) return true;
  }
  return false;
}

struct WaveWork {
  std::vector<const FleetCluster*> members;
  bool has_ours = false;    // a cluster of it was released: it has started
  int64_t inflight = 0;     // in progress or soaking
  int64_t soak_end_ms = 0;  // the latest end of a soak in it
  bool complete = false;
};

class Pass {
 public:
  Pass(const PlanInput& in, PlanOutput& out) : in_(in), r_(in.rollout), out_(out) {}

  void Run() {
    out_.progress.rollout = r_.name;
    out_.progress.acknowledged_failures = r_.acknowledged_failures;
    for (const auto& [name, t] : in_.targets) {
      if (t.rollout == r_.name) ours_.emplace(name, t);
    }
    RecordHealth();
    if (r_.state == RequestedState::kAborted) Revert();
    AssignWaves();
    Count();
    Decide();
    for (const std::string& name : changed_) out_.writes.push_back(ours_.at(name));
  }

 private:
  // Clusters that turned Done or Failed since the last pass.
  void RecordHealth() {
    std::map<std::string, int64_t> soak;
    for (const Wave& w : r_.waves) soak[w.name] = w.soak_ms;
    for (auto& [name, t] : ours_) {
      if (in_.clusters.count(name) == 0 || !in_.health) continue;
      const Health* h = in_.health(name);
      if (h == nullptr || h->release != t.release) continue;
      bool unhealthy = h->phase == "Failed" || h->phase == "Degraded";
      // A cluster must stay healthy through its soak: one that falls over fails.
      if (t.phase == TargetPhase::kDone && unhealthy && t.done_at_ms + soak[t.wave] > in_.now_ms) {
        t.phase = TargetPhase::kFailed;
        t.reason = (h->reason.empty() ? h->phase : h->reason) + " (during its soak)";
        changed_.insert(name);
        out_.failed.push_back(name);
        continue;
      }
      if (t.phase != TargetPhase::kInProgress && t.phase != TargetPhase::kFailed) continue;
      if (h->phase == "Ready") {
        t.phase = TargetPhase::kDone;
        t.done_at_ms = in_.now_ms;
        t.reason.clear();
        changed_.insert(name);
        out_.done.push_back(name);
      } else if (unhealthy && t.phase == TargetPhase::kInProgress) {
        t.phase = TargetPhase::kFailed;
        t.reason = h->reason.empty() ? h->phase : h->reason;
        changed_.insert(name);
        out_.failed.push_back(name);
      }
    }
  }

  // Aborted: every cluster released and not healthy goes back to what it had.
  void Revert() {
    for (auto& [name, t] : ours_) {
      if (t.phase != TargetPhase::kInProgress && t.phase != TargetPhase::kFailed) continue;
      t.settings = t.previous;
      t.release = ReleaseToken(r_.name, t.settings, true);
      t.phase = TargetPhase::kReverted;
      t.released_at_ms = in_.now_ms;
      t.done_at_ms = 0;
      t.reason.clear();
      changed_.insert(name);
      out_.reverted.push_back(name);
    }
  }

  void AssignWaves() {
    waves_.resize(r_.waves.size());
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < r_.waves.size(); ++i) index[r_.waves[i].name] = i;
    std::set<std::string> taken;
    for (const auto& [name, t] : ours_) {  // released clusters stay in their wave
      auto c = in_.clusters.find(name);
      auto w = index.find(t.wave);
      if (c == in_.clusters.end() || w == index.end()) continue;
      waves_[w->second].members.push_back(&c->second);
      taken.insert(name);
    }
    std::vector<const FleetCluster*> scope;
    for (const auto& [name, c] : in_.clusters) {
      if (Matches(r_.selector, c)) scope.push_back(&c);
    }
    std::sort(scope.begin(), scope.end(), SpreadOrder);
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      const Wave& wave = r_.waves[i];
      std::vector<const FleetCluster*>& members = waves_[i].members;
      std::vector<const FleetCluster*> candidates;
      for (const FleetCluster* c : scope) {
        if (taken.count(c->name) == 0 && Matches(wave.selector, *c)) candidates.push_back(c);
      }
      size_t pool = members.size() + candidates.size();
      size_t want = pool;
      if (wave.percent < 100) {
        want = std::max(members.size(), (pool * static_cast<size_t>(wave.percent) + 99) / 100);
      }
      for (const FleetCluster* c : candidates) {
        if (members.size() >= want) break;
        members.push_back(c);
        taken.insert(c->name);
      }
      std::sort(members.begin(), members.end(), SpreadOrder);
    }
    for (const FleetCluster* c : scope) {
      if (taken.count(c->name) == 0) ++out_.progress.unassigned;
    }
  }

  Standing StandingOf(const FleetCluster& c, const Wave& wave) const {
    auto o = ours_.find(c.name);
    if (o != ours_.end() && o->second.phase != TargetPhase::kReverted) {
      const Target& t = o->second;
      if (t.phase == TargetPhase::kInProgress) return Standing::kInProgress;
      if (t.phase == TargetPhase::kFailed) return Standing::kFailed;
      return t.done_at_ms + wave.soak_ms > in_.now_ms ? Standing::kSoaking : Standing::kDone;
    }
    auto t = in_.targets.find(c.name);
    const Target* other =
        t != in_.targets.end() && t->second.rollout != r_.name ? &t->second : nullptr;
    if (o == ours_.end()) {
      Settings have = other != nullptr ? Overlay(c.settings, other->settings) : c.settings;
      if (Satisfies(have, r_.change)) return Standing::kDone;
      // A later rollout took over a cluster that had this change: superseded, done here.
      if (other != nullptr && Satisfies(other->previous, r_.change)) return Standing::kDone;
    }
    if (other != nullptr) {
      auto holder = in_.unfinished_rollouts.find(other->rollout);
      if (holder != in_.unfinished_rollouts.end()) {
        bool rolling =
            other->phase == TargetPhase::kInProgress || other->phase == TargetPhase::kFailed;
        if (rolling || SharesASetting(holder->second, r_.change)) return Standing::kHeld;
      }
    }
    return Standing::kPending;
  }

  void Count() {
    Progress& p = out_.progress;
    first_incomplete_ = r_.waves.size();
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      const Wave& wave = r_.waves[i];
      WaveWork& work = waves_[i];
      WaveProgress wp;
      wp.name = wave.name;
      wp.clusters = static_cast<int64_t>(work.members.size());
      wp.max_concurrent = std::max<int64_t>(1, wave.max_concurrent.Of(wp.clusters, true));
      wp.max_failures = wave.max_failures.Of(wp.clusters, false);
      for (const FleetCluster* c : work.members) {
        auto o = ours_.find(c->name);
        if (o != ours_.end() && o->second.phase != TargetPhase::kReverted) {
          work.has_ours = true;
          int64_t released = o->second.released_at_ms;
          if (wp.started_at_ms == 0 || released < wp.started_at_ms) wp.started_at_ms = released;
          if (o->second.phase == TargetPhase::kDone) {
            work.soak_end_ms = std::max(work.soak_end_ms, o->second.done_at_ms + wave.soak_ms);
          }
        }
        switch (StandingOf(*c, wave)) {
          case Standing::kPending:
          case Standing::kHeld:
            ++wp.pending;
            break;
          case Standing::kInProgress:
            ++wp.in_progress;
            break;
          case Standing::kSoaking:
            ++wp.soaking;
            ++wp.done;
            break;
          case Standing::kDone:
            ++wp.done;
            break;
          case Standing::kFailed:
            ++wp.failed;
            break;
        }
      }
      work.inflight = wp.in_progress + wp.soaking;
      work.complete = wp.pending == 0 && work.inflight == 0;
      if (!work.complete && first_incomplete_ == r_.waves.size()) first_incomplete_ = i;
      p.failures += wp.failed;
      p.waves.push_back(std::move(wp));
    }
    // A failed cluster may still be mid-roll (its agent retries): it keeps its slot until people
    // acknowledge the failures when resuming.
    if (p.failures > r_.acknowledged_failures) {
      for (size_t i = 0; i < r_.waves.size(); ++i) waves_[i].inflight += p.waves[i].failed;
    }
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      WaveProgress& wp = p.waves[i];
      if (i < first_incomplete_) {
        wp.state = WaveState::kComplete;
        wp.completed_at_ms = waves_[i].soak_end_ms;
      } else if (waves_[i].has_ours) {
        wp.state = WaveState::kActive;
      }
    }
  }

  bool Started(size_t i) const { return i <= first_incomplete_ || waves_[i].has_ours; }
  bool AwaitsApproval(size_t i) const {
    const Wave& wave = r_.waves[i];
    return i == first_incomplete_ && !waves_[i].has_ours && wave.requires_approval &&
           r_.approved_waves.count(wave.name) == 0;
  }

  void Decide() {
    Progress& p = out_.progress;
    const std::string& name = r_.name;
    if (r_.state == RequestedState::kAborted) {
      int64_t reverted = 0;
      for (const auto& [cluster, t] : ours_) reverted += t.phase == TargetPhase::kReverted ? 1 : 0;
      p.phase = RolloutPhase::kAborted;
      p.reason = "aborted in " + r_.path + ": " + std::to_string(reverted) +
                 " clusters returned to their previous settings; clusters already done keep the "
                 "change";
      return;
    }
    if (first_incomplete_ == r_.waves.size()) {
      p.phase = RolloutPhase::kComplete;
      Requeue(30000);  // a cluster added to the fleet later still gets the change
      return;
    }
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      const WaveProgress& wp = p.waves[i];
      if (!Started(i) || wp.failed <= wp.max_failures) continue;
      if (p.failures <= r_.acknowledged_failures) continue;
      p.phase = RolloutPhase::kPaused;
      p.waiting_for = WaitingFor::kFailureBudget;
      p.reason = "wave " + wp.name + ": " + std::to_string(wp.failed) + " clusters failed, " +
                 std::to_string(wp.max_failures) +
                 " allowed (maxFailures); fix them or accept "
                 "the failures with: strata rollout resume " +
                 name;
      RequeueForInflight();
      return;
    }
    if (r_.state == RequestedState::kPaused) {
      p.phase = RolloutPhase::kPaused;
      p.waiting_for = WaitingFor::kPaused;
      p.reason = "paused in " + r_.path + "; go on with: strata rollout resume " + name;
      RequeueForInflight();
      return;
    }
    p.phase = RolloutPhase::kRunning;
    bool concurrency_full = false;
    int64_t held = 0;
    std::string full_wave;
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      if (!Started(i) || AwaitsApproval(i)) continue;
      const Wave& wave = r_.waves[i];
      WaveProgress& wp = p.waves[i];
      for (const FleetCluster* c : waves_[i].members) {
        Standing standing = StandingOf(*c, wave);
        if (standing == Standing::kHeld) ++held;
        if (standing != Standing::kPending) continue;
        if (waves_[i].inflight >= wp.max_concurrent) {
          concurrency_full = true;
          if (full_wave.empty()) full_wave = wave.name;
          break;
        }
        Release(*c, wave);
        ++waves_[i].inflight;
        --wp.pending;
        ++wp.in_progress;
        waves_[i].has_ours = true;
        wp.state = WaveState::kActive;
        if (wp.started_at_ms == 0) wp.started_at_ms = in_.now_ms;
      }
    }
    const WaveProgress& current = p.waves[first_incomplete_];
    int64_t rolling = 0;
    for (const WaveProgress& wp : p.waves) rolling += wp.in_progress;
    if (!out_.released.empty()) {
      p.reason = "released " + std::to_string(out_.released.size()) + " clusters; " +
                 std::to_string(rolling) + " rolling";
    } else if (AwaitsApproval(first_incomplete_)) {
      p.waiting_for = WaitingFor::kApproval;
      p.reason = "wave " + current.name + " waits for approval: strata rollout approve " + name +
                 " " + current.name;
    } else if (current.pending == 0 && current.in_progress == 0 && current.soaking > 0) {
      p.waiting_for = WaitingFor::kSoak;
      p.soak_until_ms = waves_[first_incomplete_].soak_end_ms;
      p.reason = "wave " + current.name + " soaks until " + FormatMillis(p.soak_until_ms);
    } else if (concurrency_full) {
      p.waiting_for = WaitingFor::kConcurrency;
      p.reason =
          "wave " + full_wave + " has its maxConcurrent clusters in flight (rolling or soaking)";
    } else if (held > 0) {
      p.reason = std::to_string(held) + " clusters wait for another rollout to finish with them";
    } else {
      p.reason = std::to_string(rolling) + " clusters rolling";
    }
    RequeueForInflight();
  }

  void Release(const FleetCluster& c, const Wave& wave) {
    auto existing = in_.targets.find(c.name);
    auto o = ours_.find(c.name);
    Settings base;
    if (o != ours_.end()) {
      base = o->second.settings;  // reverted before: what it went back to
    } else if (existing != in_.targets.end()) {
      base = existing->second.settings;  // another rollout's: keep what it set
    }
    Target t;
    t.cluster = c.name;
    t.path = c.target_path;
    t.rollout = r_.name;
    t.wave = wave.name;
    t.previous = base;
    t.settings = Overlay(base, r_.change);
    t.release = ReleaseToken(r_.name, t.settings, false);
    t.phase = TargetPhase::kInProgress;
    t.released_at_ms = in_.now_ms;
    ours_[c.name] = t;
    changed_.insert(c.name);
    out_.released.push_back(c.name);
  }

  void Requeue(int64_t ms) {
    if (out_.requeue_after_ms == 0 || ms < out_.requeue_after_ms) out_.requeue_after_ms = ms;
  }

  // Soaks end with time, not with an event: look again when the first one ends. Clusters in
  // flight turn Done by the agents' reports; a poll covers a report lost on the way, and a
  // cluster added to the fleet.
  void RequeueForInflight() {
    int64_t rolling = 0;
    for (size_t i = 0; i < r_.waves.size(); ++i) {
      rolling += out_.progress.waves[i].in_progress;
      for (const FleetCluster* c : waves_[i].members) {
        auto o = ours_.find(c->name);
        if (o == ours_.end() || o->second.phase != TargetPhase::kDone) continue;
        int64_t end = o->second.done_at_ms + r_.waves[i].soak_ms;
        if (end > in_.now_ms) Requeue(end - in_.now_ms);
      }
    }
    Requeue(rolling > 0 ? 5000 : 30000);
  }

  const PlanInput& in_;
  const RolloutSpec& r_;
  PlanOutput& out_;
  std::map<std::string, Target> ours_;  // this rollout's targets, by cluster
  std::set<std::string> changed_;
  std::vector<WaveWork> waves_;
  size_t first_incomplete_ = 0;
};

}  // namespace

PlanOutput PlanRollout(const PlanInput& input) {
  PlanOutput out;
  Pass(input, out).Run();
  return out;
}

}  // namespace strata::rollout
