// Benchmark: the whole control plane as separate processes — `strata reconcile --watch`, one
// `strata controller NAME` process per controller (sync signing with a fresh key) and one
// `strata agent` per satellite (sim driver at zero delay) — on synthetic fleets, with librdkafka's
// mock cluster (3 brokers, in this process) as Kafka.
//
//   build/tests/bench/layer_cake_bench           cold start of 10,000 and 100,000 clusters, then
//                                                50 one-cluster changes on the 10,000 fleet
//   build/tests/bench/layer_cake_bench --quick   300 clusters, 5 changes (the CI smoke run)
//   build/tests/bench/layer_cake_bench --clusters 10000 --changes 100 [--keep]   (--keep leaves
//                                                the repos and process logs behind)
//   build/tests/bench/layer_cake_bench --up      the same through `strata up --separate-processes`
//                                                (its embedded Kafka, its supervisor): the headline
//                                                benchmark of `strata up`
//
// Cold start: the clock starts when the processes are started on a fleet repo nobody has
// reconciled (so it includes Kafka consumer-group joins and the reconciler's bootstrap) and stops
// at the sync controller's last commit, once every controller's consumer group has committed the
// end of its input topics (offsets are stored only after the work is done). It prints
// the commits each controller made, what ended up in each layer, and each process's peak memory.
// One-cluster change: a commit raising one dedicated cluster's CKU is made on the bare repo and the
// reconciler woken (as the post-receive hook does); the clock stops when the agent of that
// cluster's satellite reports it Ready with the new broker count on strata.status. The hops on the
// way are reported as a breakdown: the reconciler's checkpoint reaching the commit, pkc's output
// on main, the satellite's signed ref showing the new brokers. Cold start also reports when every
// agent has applied its whole slice.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "core/git.h"
#include "core/resource_status.h"
#include "core/kafka.h"
#include "reconciler/controllers/registry.h"
#include "specs/kinds.h"
#include "core/mock_kafka.h"
#include "examples/generator/fleet_generator.h"
#include "reconciler/reconcile/checkpoint.h"
#include "reconciler/reconcile/wake.h"
#include "tests/bench/bench_support.h"
#include "tests/support/controller_lag.h"

namespace {

using strata::bench::Clock;
using strata::bench::Ms;
using strata::bench::StartProcess;
using strata::bench::StatusWatch;
using strata::bench::Summarise;

const std::string kStrata = STRATA_BINARY;
const std::vector<std::string> kControllers = {"sync", "capacity", "connect", "ksql", "pkc", "network"};

using Running = strata::bench::Part;

void Fail(const std::string& message) {
  std::fprintf(stderr, "layer_cake_bench: %s\n", message.c_str());
  std::exit(1);
}

std::unique_ptr<StatusWatch> FollowStatus(const std::string& kafka) {
  auto watch = StatusWatch::Follow(kafka);
  if (!watch.ok()) Fail(watch.status().message());
  return std::move(*watch);
}

size_t FilesUnder(const strata::Repository& repo, const git_oid& tree, const std::string& dir) {
  auto files = repo.ListFilesUnder(tree, dir);
  return files.ok() ? files->size() : 0;
}

// A dedicated cluster to scale: its spec path and the slice entry that places its physical cluster.
struct Target {
  std::string spec_path;
  std::string pkc_path;
  std::string satellite;
  std::string entry;  // path inside the satellite's ref
  std::string key;    // PhysicalKafkaCluster/pkc-…
  int cku = 0;
};

std::vector<Target> FindTargets(const strata::Repository& repo, const git_oid& tree, size_t want) {
  std::map<std::string, std::pair<std::string, std::string>> entries;  // pkc name → (sat, entry)
  auto slices = repo.ListFilesUnder(tree, "satellites");
  if (slices.ok()) {
    for (const auto& f : *slices) {
      std::string file = f.path.substr(f.path.rfind('/') + 1);
      if (file.rfind("pkc-", 0) != 0) continue;
      std::string rest = f.path.substr(std::strlen("satellites/"));
      std::string sat = rest.substr(0, rest.find('/'));
      entries[file.substr(0, file.size() - 5)] = {sat, rest.substr(sat.size() + 1)};
    }
  }
  std::vector<Target> targets;
  auto tenants = repo.ListFilesUnder(tree, "tenants");
  if (!tenants.ok()) return targets;
  for (const auto& f : *tenants) {
    if (targets.size() >= want) break;
    if (f.path.find("/kafka/") == std::string::npos) continue;
    std::string text = *repo.ReadBlob(f.oid);
    size_t at = text.find("\n  cku: ");
    if (at == std::string::npos || text.find("sku: dedicated") == std::string::npos) continue;
    std::string org = f.path.substr(8, f.path.find('/', 8) - 8);
    std::string name = f.path.substr(f.path.rfind('/') + 1);
    name = name.substr(0, name.size() - 5);
    auto entry = entries.find("pkc-" + org + "-" + name);
    if (entry == entries.end()) continue;
    Target t;
    t.spec_path = f.path;
    t.pkc_path = "derived/pkc/" + org + "/pkc-" + org + "-" + name + ".yaml";
    t.satellite = entry->second.first;
    t.entry = entry->second.second;
    t.key = "PhysicalKafkaCluster/pkc-" + org + "-" + name;
    t.cku = std::atoi(text.c_str() + at + 8);
    targets.push_back(t);
  }
  return targets;
}

// Whether the blob at `path` of the tree of `commit_ref` contains `text`.
bool RefShows(const strata::Repository& repo, const std::string& ref, const std::string& path,
              const std::string& text) {
  auto commit = repo.ReadRef(ref);
  if (!commit.ok()) return false;
  auto tree = repo.TreeOfCommit(*commit);
  if (!tree.ok()) return false;
  auto file = repo.FindPath(*tree, path);
  if (!file.ok()) return false;
  auto blob = repo.ReadBlob(file->oid);
  return blob.ok() && blob->find(text) != std::string::npos;
}

// Commits `path` with its "cku: N" changed to `cku` on main; retries when a controller moved main.
git_oid CommitCku(strata::Repository& repo, const std::string& path, int cku) {
  for (;;) {
    git_oid head = *repo.ResolveCommit("refs/heads/main");
    git_oid tree = *repo.TreeOfCommit(head);
    std::string text = *repo.ReadBlob(repo.FindPath(tree, path)->oid);
    size_t at = text.find("\n  cku: ") + 8;
    text.replace(at, text.find('\n', at) - at, std::to_string(cku));
    git_oid new_tree = *repo.UpdateTree(tree, {{path, text}});
    auto commit = repo.Commit("", new_tree, {head}, "bench: " + path + " to " + std::to_string(cku) +
                                                        " CKU", "Bench", "bench@strata.dev");
    if (repo.CompareAndSwapRef("refs/heads/main", head, *commit, "bench").ok()) return *commit;
  }
}

void BenchFleet(int clusters, int changes, const std::string& root, std::string kafka, bool via_up) {
  std::string repo_path = root + "/fleet-" + std::to_string(clusters) + ".git";
  strata::examples::FleetShape shape;
  shape.clusters = clusters;
  shape.orgs = std::max(10, clusters / 100);
  if (!strata::examples::WriteFleetToRepo(repo_path, shape, "main", /*bare=*/true).ok()) {
    Fail("cannot generate the fleet");
  }
  auto repo = strata::Repository::Open(repo_path);
  git_oid start_head = *repo->ResolveCommit("refs/heads/main");
  std::printf("\n== fleet of %d clusters ==\n", clusters);
  std::fflush(stdout);

  if (strata::bench::RunProcess({kStrata, "keys", "generate", "--out", root + "/keys/sync", "--force"},
                                "/dev/null").code != 0) {
    Fail("cannot make a signing key");
  }
  std::vector<std::string> satellites =
      strata::bench::SatellitesOf(*repo, *repo->TreeOfCommit(start_head));
  // Follows status from before the processes start (strata up's Kafka exists only once it runs).
  std::unique_ptr<StatusWatch> status;
  if (!via_up) status = FollowStatus(kafka);
  auto cold_start = Clock::now();
  std::vector<Running> running;
  if (via_up) {
    // strata up starts the embedded Kafka and every part as a process of its own.
    auto up = strata::bench::StartUp(kStrata, root + "/up-" + std::to_string(clusters), repo_path,
                                     root + "/up.log");
    if (!up.ok()) Fail(up.status().message());
    running.push_back({"up", up->pid});
    kafka = up->kafka;
  } else {
    running.push_back({"reconcile", StartProcess({kStrata, "--log-level", "info", "reconcile", "--watch",
                                                  "--repo", repo_path, "--kafka", kafka},
                                                 root + "/reconcile.log")});
    for (const std::string& name : kControllers) {
      std::vector<std::string> args = {kStrata, "--log-level", "info", "controller", name,
                                       "--repo", repo_path, "--kafka", kafka};
      if (name == "sync") args.insert(args.end(), {"--signing-key", root + "/keys/sync"});
      running.push_back({name, StartProcess(args, root + "/" + name + ".log")});
    }
    for (const std::string& sat : satellites) {
      std::filesystem::remove_all(root + "/agent-" + sat);
      running.push_back({"agent " + sat,
                         StartProcess({kStrata, "--log-level", "info", "agent", "--satellite", sat, "--repo",
                                       repo_path, "--state-dir", root + "/agent-" + sat, "--trusted-keys",
                                       root + "/keys/sync.pub", "--driver", "sim", "--sim-time-scale", "0",
                                       "--kafka", kafka},
                                      root + "/agent-" + sat + ".log")});
    }
  }
  for (const auto& r : running) {
    if (r.pid < 0) Fail("cannot start " + kStrata);
  }
  if (status == nullptr) status = FollowStatus(kafka);
  // Follow main until the cake is quiet.
  auto limit = std::chrono::minutes(clusters >= 100000 ? 20 : 5);
  strata::bench::Settled settled =
      strata::bench::WaitUntilSettled(*repo, kafka, start_head, cold_start + limit, status.get());
  if (settled.last_sync == Clock::time_point{}) Fail("no sync commit; see the logs in " + root);
  double cold_seconds = std::chrono::duration<double>(settled.last_sync - cold_start).count();
  // Every agent has applied its whole slice: its Satellite status names the slice its ref is at.
  size_t applied =
      strata::bench::WaitForSlicesApplied(*repo, satellites, cold_start + limit, status.get());
  double ready_seconds = std::chrono::duration<double>(Clock::now() - cold_start).count();
  const git_oid& seen = settled.head;
  const std::map<std::string, int>& commits = settled.commits;
  git_oid tree = *repo->TreeOfCommit(seen);
  std::printf("cold start     %8.1f s to the sync controller's last commit; %.1f s until %zu of %zu "
              "agents applied their whole slice\n", cold_seconds, ready_seconds, applied, satellites.size());
  std::printf("commits        ");
  for (const auto& [who, n] : commits) std::printf("%s: %d   ", who.c_str(), n);
  std::printf("\nin each layer  %zu physical Kafka, %zu Connect, %zu ksqlDB, %zu network, "
              "%zu Kubernetes clusters; %zu slice entries\n",
              FilesUnder(*repo, tree, "derived/pkc"), FilesUnder(*repo, tree, "derived/connect"),
              FilesUnder(*repo, tree, "derived/ksql"), FilesUnder(*repo, tree, "derived/network"),
              FilesUnder(*repo, tree, "derived/capacity"), FilesUnder(*repo, tree, "satellites"));
  std::fflush(stdout);

  if (changes > 0) {
    std::vector<Target> targets = FindTargets(*repo, tree, static_cast<size_t>(changes));
    std::vector<double> to_checkpoint, to_pkc, to_satellite, to_ready;
    std::string git_dir = git_repository_path(repo->raw());
    for (size_t i = 0; i < targets.size(); ++i) {
      Target& t = targets[i];
      int cku = t.cku < 100 ? t.cku + 1 : t.cku - 1;
      std::string brokers = "brokers: " + std::to_string(3 * cku) + "\n";
      git_oid commit = CommitCku(*repo, t.spec_path, cku);
      auto start = Clock::now();
      strata::reconcile::NotifyReconcilers(git_dir);
      double checkpoint_ms = -1, pkc_ms = -1, satellite_ms = -1;
      while (Clock::now() - start < std::chrono::seconds(30)) {
        status->Drain(0);
        if (checkpoint_ms < 0) {
          auto checkpoint = strata::reconcile::ReadCheckpoint(*repo, "main");
          if (checkpoint.ok() && checkpoint->exists) {
            if (git_oid_equal(&checkpoint->commit, &commit) ||
                git_graph_descendant_of(repo->raw(), &checkpoint->commit, &commit) == 1) {
              checkpoint_ms = Ms(Clock::now() - start);
            }
          }
        }
        if (pkc_ms < 0 && RefShows(*repo, "refs/heads/main", t.pkc_path, brokers)) {
          pkc_ms = Ms(Clock::now() - start);
        }
        if (satellite_ms < 0 && RefShows(*repo, "refs/heads/satellites/" + t.satellite, t.entry, brokers)) {
          satellite_ms = Ms(Clock::now() - start);
        }
        const strata::ResourceStatus* s = status->Latest(t.key);
        if (s != nullptr && s->phase == "Ready" && s->brokers_ready == 3 * cku) {
          to_ready.push_back(Ms(Clock::now() - start));
          to_satellite.push_back(satellite_ms);
          to_checkpoint.push_back(checkpoint_ms);
          to_pkc.push_back(pkc_ms);
          break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (to_ready.size() != i + 1) Fail("change " + std::to_string(i) + " was not reported Ready in 30 s");
    }
    auto a = Summarise(to_checkpoint), b = Summarise(to_pkc), c = Summarise(to_satellite);
    auto d = Summarise(to_ready);
    std::printf("one-cluster CKU change, %zu changes (median / p99):\n", to_satellite.size());
    std::printf("  reconciler checkpoint (events acknowledged)  %7.1f / %7.1f ms\n", a.median, a.p99);
    std::printf("  pkc output on main                           %7.1f / %7.1f ms\n", b.median, b.p99);
    std::printf("  satellite ref shows the new brokers          %7.1f / %7.1f ms\n", c.median, c.p99);
    std::printf("  agent reports it Ready at the new size       %7.1f / %7.1f ms   <- commit to Ready\n",
                d.median, d.p99);
  }
  status.reset();  // before its Kafka goes
  if (via_up) {
    // The parts are strata up's children; name them by their command lines.
    std::vector<Running> parts = strata::bench::UpParts(running[0].pid);
    std::printf("peak memory    ");
    for (const auto& r : parts) std::printf("%s %.0f MiB   ", r.name.c_str(), strata::bench::PeakKiB(r.pid) / 1024.0);
    std::printf("\n");
  }
  std::printf("peak memory    ");
  for (const auto& r : running) {
    long peak = strata::bench::PeakKiB(r.pid);
    kill(r.pid, SIGTERM);
    waitpid(r.pid, nullptr, 0);
    std::printf("%s %.0f MiB   ", r.name.c_str(), peak / 1024.0);
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> fleets = {10000, 100000};
  int changes = 50;
  int changes_on = 10000;
  bool keep = false;
  bool via_up = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--keep") == 0) keep = true;  // leave the repos and logs behind
    if (std::strcmp(argv[i], "--up") == 0) via_up = true;
    if (std::strcmp(argv[i], "--quick") == 0) {
      fleets = {300};
      changes = 5;
      changes_on = 300;
    } else if (std::strcmp(argv[i], "--clusters") == 0 && i + 1 < argc) {
      fleets = {std::atoi(argv[++i])};
      changes_on = fleets[0];
    } else if (std::strcmp(argv[i], "--changes") == 0 && i + 1 < argc) {
      changes = std::atoi(argv[++i]);
    }
  }
  std::string root = std::filesystem::temp_directory_path() /
                     ("strata-layer-cake-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(root);
  std::printf("layer_cake_bench: %s; %u cores\n"
              "(for scale: Argo CD's published scale tests take 8 to 53 minutes to sync 10,000 "
              "applications, on far larger machines)\n",
              via_up ? "everything started by strata up --separate-processes, with its embedded Kafka"
                     : "Kafka is a mock cluster (3 brokers) in this process, new for each fleet",
              std::thread::hardware_concurrency());
  for (int clusters : fleets) {
    if (via_up) {
      BenchFleet(clusters, clusters == changes_on ? changes : 0, root, "", /*via_up=*/true);
      continue;
    }
    // Each fleet gets its own Kafka, so topics and consumer groups start empty.
    auto fleet_kafka = strata::MockKafka::Start(3);
    if (!fleet_kafka.ok()) Fail(fleet_kafka.status().ToString());
    std::vector<std::string> kinds;
    for (const auto& kind : strata::specs::AllKinds()) kinds.emplace_back(kind.name);
    if (auto s = (*fleet_kafka)->CreateStrataTopics(kinds); !s.ok()) Fail(s.ToString());
    BenchFleet(clusters, clusters == changes_on ? changes : 0, root, (*fleet_kafka)->bootstrap_servers(),
               /*via_up=*/false);
  }
  if (keep) {
    std::printf("repos and logs kept in %s\n", root.c_str());
  } else {
    std::filesystem::remove_all(root);
  }
  return 0;
}
