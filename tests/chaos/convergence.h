// Convergence (chaos run): once the faults have stopped, whether the whole system came back to
// what the final fleet commit says, and how long that took.
//   WaitForConvergence   main has been still for 3 s, the reconciler has published it, every
//                        controller's consumer group is at the end of its topics, and every agent
//                        reports its satellite Ready at the tip of its slice ref
//   CheckConverged       the derived state is a fixed point (every controller run again on the
//                        final commit, in process, changes nothing); each agent's recorded applied
//                        commit is its ref's tip, whose tree is main's satellites/<id>/; the
//                        simulated data plane holds exactly the slice's Kafka clusters, each with
//                        its brokers ready on the desired version; every invalid change pushed was
//                        reported rejected; `git fsck` finds nothing in the fleet repo or in any
//                        agent's repository
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/chaos/fault_injector.h"
#include "tests/chaos/fleet_writer.h"
#include "tests/chaos/invariant_checker.h"

namespace strata::chaos {

struct ChaosFleet {
  std::string bare;
  std::string home;
  std::string kafka;
  std::string scratch;  // a directory CheckConverged may fill
  std::vector<std::string> satellites;
};

// True once converged; false at `deadline`, with what was still missing in `*missing`.
bool WaitForConvergence(const ChaosFleet& fleet, const InvariantChecker& checker,
                        Clock::time_point deadline, std::string* missing);

struct ConvergenceFigures {
  int satellites = 0;
  int kafka_clusters_on_data_plane = 0;
  int rejections_checked = 0;
  int rejections_folded = 0;  // invalid commits a force push published only as a net difference
  int fixed_point_files = 0;  // files of the final tree the controllers derived again
};

// Every failure, one line each; empty when converged.
std::vector<std::string> CheckConverged(const ChaosFleet& fleet, const InvariantChecker& checker,
                                        const std::vector<PushedChange>& changes,
                                        const std::vector<ForcePush>& force_pushes,
                                        ConvergenceFigures* figures);

}  // namespace strata::chaos
