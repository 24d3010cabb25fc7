// FaultInjector (chaos run): breaks the running control plane of a `strata up
// --separate-processes` at random, seeded, and heals each fault after a while:
//   kill-9           a random part (the reconciler, a controller, an agent) is killed; up's
//                    supervisor starts it again
//   broker-down      one broker of the mock Kafka is set down for 2–6 s (one at a time)
//   request-errors   1–5 retriable errors pushed on Produce, Fetch or OffsetCommit
//   cas-race         a person's commit lands on main while the controllers work on the one before,
//                    so a controller's compare-and-swap of main can lose (the losses the
//                    controllers count themselves are scraped from their /metrics)
//   throttle-429     an agent's simulated cloud API answers 429 to 60% of calls for 3–8 s
//   cut-off          an agent is frozen (SIGSTOP) for 3–8 s: no fetch, no report, no heartbeat
//   force-push       main is force-pushed back 2–6 commits for 2–5 s, then forward again to
//                    where it was (people's pushes wait meanwhile)
// Heals run on the injector's one thread, between faults: a force push holds it for 2–5 s, so a
// fault may last that much longer than its draw. Run returns once the deadline has passed and
// every fault is healed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/mock_kafka.h"

namespace strata::chaos {

using Clock = std::chrono::steady_clock;

struct ChaosTarget {
  MockKafka* kafka = nullptr;
  int brokers = 3;
  pid_t up = -1;                  // the `strata up --separate-processes` process
  std::string home;               // its home (agents' state under <home>/agents/<satellite>)
  std::string admin_clone;        // a clone of the fleet repo the faults push from
  std::mutex* push_mu = nullptr;  // held by people's pushes
  std::vector<std::string> satellites;
  bool force_push = true;  // the force-push fault (CI's quick run leaves it out; see the README)
};

// A force push: main was moved back from `head`, while the reconciler had published up to
// `published`. Commits after `published` up to `head` were published as a net difference.
struct ForcePush {
  std::string head;
  std::string published;
};

class FaultInjector {
 public:
  FaultInjector(ChaosTarget target, uint64_t seed, std::chrono::milliseconds mean_gap);

  void Run(Clock::time_point until);

  const std::map<std::string, int>& counts() const { return counts_; }
  const std::vector<ForcePush>& force_pushes() const { return force_pushes_; }
  // Races the controllers say they lost (summed over every process of each, across restarts).
  long races_lost() const;
  Clock::time_point last_healed() const { return last_healed_; }

 private:
  void InjectOne();
  void KillPart();
  void BrokerDown();
  void RequestErrors();
  void CasRace();
  void Throttle();
  void CutOff();
  void ForcePushBackAndForth();
  void Heal(Clock::time_point at, std::function<void()> heal);
  void RunDueHeals(bool all);
  void ScrapeRaces();
  pid_t AgentPid(const std::string& satellite) const;

  ChaosTarget target_;
  std::mt19937_64 random_;
  std::chrono::milliseconds mean_gap_;
  std::map<std::string, int> counts_;
  std::vector<std::pair<Clock::time_point, std::function<void()>>> heals_;
  std::vector<ForcePush> force_pushes_;
  bool broker_down_ = false;
  std::map<pid_t, long> races_by_pid_;
  Clock::time_point last_healed_{};
  int race_commits_ = 0;
};

}  // namespace strata::chaos
