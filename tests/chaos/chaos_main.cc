// strata_chaos: the chaos run. A fleet of `--clusters` Kafka clusters under `strata up
// --separate-processes` (every part its own process, supervised) on a mock Kafka this process
// owns, a stream of people's pull-request-like commits, and faults injected at random (see
// fault_injector.h), seeded: the same seed makes the same fleet and the same random draws, but
// what they land on follows the timing of the machine (which fix is due, which process is
// running), so a run is reproducible in kind, not step for step. Invariants are checked while it
// runs (invariant_checker.h); once the faults stop, the run waits for the system to converge and
// checks it did (convergence.h), then prints a summary. Exit 0 only when nothing was violated and
// everything converged. The time to converge is when convergence was confirmed, which includes
// the 3 s main must stay still.
//
//   build/tests/chaos/strata_chaos                  # the long run: 1,000 clusters, 10 minutes
//   build/tests/chaos/strata_chaos --quick          # CI: 1,000 clusters, 60 s of faults
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/git.h"
#include "core/log.h"
#include "core/mock_kafka.h"
#include "core/test_support.h"
#include "reconciler/controllers/registry.h"
#include "specs/kinds.h"
#include "tests/bench/bench_support.h"
#include "tests/chaos/convergence.h"
#include "tests/chaos/fault_injector.h"
#include "tests/chaos/fleet_writer.h"
#include "tests/chaos/invariant_checker.h"
#include "tests/support/child_process.h"

namespace strata::chaos {
namespace {

namespace fs = std::filesystem;

struct Options {
  int clusters = 1000;
  uint64_t seed = 1;
  int fault_seconds = 600;
  int change_gap_ms = 500;
  int fault_gap_ms = 1500;
  int converge_seconds = 300;
  double time_scale = 0.05;
  std::string work = "/tmp/strata-chaos";
  std::string strata = STRATA_BINARY;
  bool force_push = true;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Thrown where the run cannot go on; unwinding stops `strata up` (and so all its parts).
struct RunFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void Fail(const std::string& what) { throw RunFailure(what); }

std::set<std::string> EuOrgs(const std::string& clone) {
  std::set<std::string> orgs;
  for (const auto& entry : fs::directory_iterator(clone + "/policy/orgs")) {
    auto grep = testing::Sh("grep -q 'dataResidency: eu' " + entry.path().string());
    if (grep.code == 0) orgs.insert(entry.path().stem().string());
  }
  return orgs;
}

std::map<std::string, std::string> SatelliteRegions(const std::string& clone) {
  std::map<std::string, std::string> regions;
  for (const auto& entry : fs::directory_iterator(clone + "/policy/satellites")) {
    auto region = testing::Sh("sed -n 's/^ *region: *//p' " + entry.path().string() + " | head -n1");
    std::string r = region.out;
    while (!r.empty() && r.back() == '\n') r.pop_back();
    regions[entry.path().stem().string()] = r;
  }
  return regions;
}

int Run(const Options& o) {
  const Clock::time_point began = Clock::now();
  fs::remove_all(o.work);
  fs::create_directories(o.work);
  const std::string bare = o.work + "/fleet.git";
  std::printf("strata chaos run: seed %llu, %d clusters, %d s of faults%s, work in %s\n",
              static_cast<unsigned long long>(o.seed), o.clusters, o.fault_seconds,
              o.force_push ? "" : " (no force pushes)", o.work.c_str());

  auto kafka = MockKafka::Start(3);
  if (!kafka.ok()) Fail(kafka.status().ToString());
  std::vector<std::string> kinds;
  for (const auto& kind : specs::AllKinds()) kinds.emplace_back(kind.name);
  if (Status s = (*kafka)->CreateStrataTopics(kinds); !s.ok()) Fail(s.ToString());

  auto generated = testing::Sh(o.strata + " gen fleet --bare --repo " + bare + " --clusters " +
                               std::to_string(o.clusters) + " --seed " + std::to_string(o.seed));
  if (generated.code != 0) Fail("strata gen fleet: " + generated.out);
  const std::string admin = o.work + "/admin";
  testing::Sh("git clone -q " + bare + " " + admin);
  fs::create_directories(admin + "/docs");

  std::map<std::string, std::string> regions = SatelliteRegions(admin);
  std::vector<std::string> satellites;
  for (const auto& [satellite, region] : regions) satellites.push_back(satellite);
  const std::string home = o.work + "/home";
  InvariantChecker checker(bare, (*kafka)->bootstrap_servers(), controllers::ControllerPrefixes(),
                           EuOrgs(admin), regions, home + "/keys/trusted");
  checker.Start();

  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", o.time_scale);
  testing::ChildProcess up({o.strata, "--log-level", "info", "up", "--home", home, "--fleet", bare,
                            "--separate-processes", "--kafka", (*kafka)->bootstrap_servers(),
                            "--port", "0", "--dashboard-port", "-1", "--sim-time-scale", scale},
                           o.work + "/up.log");
  ChaosFleet fleet{bare, home, (*kafka)->bootstrap_servers(), o.work, satellites};
  std::string missing;
  if (!WaitForConvergence(fleet, checker, Clock::now() + std::chrono::seconds(o.converge_seconds), &missing)) {
    Fail("the fleet never came up: " + missing + "; see " + o.work + "/up.log and " + home + "/logs");
  }
  std::printf("  fleet up and applied on %zu satellites in %.1f s\n", satellites.size(),
              Seconds(Clock::now() - began));

  // People push while the faults go on.
  std::mutex push_mu;
  auto writer = FleetWriter::Clone(bare, o.work + "/people", o.seed, &push_mu,
                                   [&checker](const std::string& key) { return checker.RejectionsOf(key); });
  if (!writer.ok()) Fail(writer.status().ToString());
  std::vector<PushedChange> changes;
  std::atomic<bool> faults_over{false};
  std::string writer_failure;
  std::thread people([&] {
    std::mt19937_64 random(o.seed + 1);
    std::exponential_distribution<double> gap(1.0 / o.change_gap_ms);
    while (!faults_over.load()) {
      auto change = (*writer)->MakeChange();
      if (!change.ok()) {
        writer_failure = change.status().ToString();
        return;
      }
      changes.push_back(*change);
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(gap(random))));
    }
  });

  ChaosTarget target{kafka->get(), 3, up.pid(), home, admin, &push_mu, satellites, o.force_push};
  FaultInjector injector(target, o.seed + 2, std::chrono::milliseconds(o.fault_gap_ms));
  const Clock::time_point faults_began = Clock::now();
  injector.Run(faults_began + std::chrono::seconds(o.fault_seconds));
  faults_over.store(true);
  people.join();
  if (!writer_failure.empty()) Fail("people's pushes failed: " + writer_failure);
  auto fixes = (*writer)->FixAll();
  if (!fixes.ok()) Fail(fixes.status().ToString());
  changes.insert(changes.end(), fixes->begin(), fixes->end());
  const Clock::time_point last_fault = injector.last_healed();
  const Clock::time_point last_change = changes.empty() ? faults_began : changes.back().at;

  bool converged = WaitForConvergence(fleet, checker, Clock::now() + std::chrono::seconds(o.converge_seconds), &missing);
  const Clock::time_point converged_at = Clock::now();
  checker.Stop();
  ConvergenceFigures figures;
  std::vector<std::string> failures = CheckConverged(fleet, checker, changes, injector.force_pushes(), &figures);
  if (!converged) failures.insert(failures.begin(), "no convergence within " + std::to_string(o.converge_seconds) + " s: " + missing);

  // The summary.
  int faults = 0;
  for (const auto& [kind, n] : injector.counts()) faults += n;
  std::printf("\nfaults injected over %.0f s: %d\n", Seconds(last_fault - faults_began), faults);
  for (const auto& [kind, n] : injector.counts()) std::printf("  %-28s %5d\n", kind.c_str(), n);
  std::printf("  %-28s %5ld  (as counted by the controllers)\n", "compare-and-swap races lost", injector.races_lost());
  int invalid = 0;
  for (const PushedChange& c : changes) invalid += c.valid ? 0 : 1;
  std::printf("\nchanges pushed by people: %zu (%d invalid on purpose)\n", changes.size(), invalid);
  for (const auto& [what, n] : (*writer)->counts()) std::printf("  %-28s %5d\n", what.c_str(), n);
  InvariantCounts counts = checker.counts();
  std::vector<std::string> violations = checker.violations();
  std::printf("\ninvariants checked while it ran: %zu violations\n", violations.size());
  std::printf("  single writer    %llu commits on main (%llu by controllers), %llu changed files\n",
              static_cast<unsigned long long>(counts.commits),
              static_cast<unsigned long long>(counts.controller_commits),
              static_cast<unsigned long long>(counts.files));
  std::printf("  residency        %llu placements of physical clusters\n",
              static_cast<unsigned long long>(counts.placements));
  std::printf("  monotonic        %llu moves of satellite refs, %llu status records\n",
              static_cast<unsigned long long>(counts.slice_moves),
              static_cast<unsigned long long>(counts.status_records));
  std::printf("\nconvergence: %s\n", converged ? "yes" : "NO");
  std::printf("  %.1f s after the last fault was healed and the last change pushed (%.1f s after the last fault)\n",
              Seconds(converged_at - std::max(last_fault, last_change)), Seconds(converged_at - last_fault));
  std::printf("  %d satellites applied their slice; %d Kafka clusters on the data plane as their slices say\n",
              figures.satellites, figures.kafka_clusters_on_data_plane);
  std::printf("  the final commit's %d files are a fixed point of every controller\n", figures.fixed_point_files);
  std::printf("  %d invalid changes reported rejected (%d published only inside a force push's net difference)\n",
              figures.rejections_checked - figures.rejections_folded, figures.rejections_folded);
  for (const std::string& v : violations) std::printf("  VIOLATION %s\n", v.c_str());
  for (const std::string& f : failures) std::printf("  FAILED %s\n", f.c_str());
  bool pass = violations.empty() && failures.empty();
  std::printf("\n%s in %.0f s (seed %llu)\n", pass ? "PASS" : "FAIL", Seconds(Clock::now() - began),
              static_cast<unsigned long long>(o.seed));
  ::kill(up.pid(), SIGTERM);
  up.Wait();
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace strata::chaos

int main(int argc, char** argv) {
  strata::chaos::Options o;
  bool quick = false;
  CLI::App app{"strata chaos run: faults injected at random into a running fleet; checks nothing is lost"};
  app.add_option("--clusters", o.clusters, "Kafka clusters in the fleet")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the fleet, the changes and the faults")->capture_default_str();
  app.add_option("--seconds", o.fault_seconds, "How long faults are injected")->capture_default_str();
  app.add_option("--change-gap-ms", o.change_gap_ms, "Mean time between people's pushes")->capture_default_str();
  app.add_option("--fault-gap-ms", o.fault_gap_ms, "Mean time between faults")->capture_default_str();
  app.add_option("--converge-seconds", o.converge_seconds, "How long convergence may take")->capture_default_str();
  app.add_option("--sim-time-scale", o.time_scale, "The agents' simulated cloud speed")->capture_default_str();
  app.add_option("--work", o.work, "Working directory (emptied first)")->capture_default_str();
  app.add_option("--strata", o.strata, "The strata binary")->capture_default_str();
  app.add_flag("--quick", quick, "The CI run: 60 s of faults");
  bool no_force_push = false;
  app.add_flag("--no-force-push", no_force_push,
               "Leave out the force-push fault (the CI run, until the lost updates it finds are fixed)");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // the progress shows as it happens, also in a log
  if (quick) o.fault_seconds = 60;
  o.force_push = !no_force_push;
  // A broker set down is the point here: its connection errors would bury the summary.
  (void)strata::InitLogging(strata::LogFormat::kHuman, "error");
  try {
    return strata::chaos::Run(o);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "strata_chaos: %s\n", failure.what());
    return 2;
  }
}
