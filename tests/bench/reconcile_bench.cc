// Benchmark: the reconciler on synthetic fleets, with `git diff-tree -r` on the same commits as the
// yardstick.
//
//   build/tests/bench/reconcile_bench            fleets of 1,000, 10,000 and 100,000 clusters
//   build/tests/bench/reconcile_bench --quick    1,000 clusters, a few commits (the CI smoke run)
//
// For each fleet it prints
//   - bootstrap: `strata reconcile --once` publishing the whole fleet to acknowledged, as a child
//     process: specs per second and its peak resident memory (VmHWM, sampled);
//   - commit latency: commits changing 1, 100 and 1,000 files, each made with libgit2 on the bare
//     fleet repo while a `strata reconcile --watch` process runs; the clock starts when the commit
//     and its branch ref exist and the watcher is woken (as the post-receive hook does) and stops
//     when the checkpoint ref has moved to it, which the reconciler does only after Kafka has
//     acknowledged every event of the commit. Median and p99 over the commits, and the same for
//     `git diff-tree -r PARENT COMMIT` run as a process.
// Kafka is librdkafka's mock cluster (3 brokers) in this process, on loopback.
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/git.h"
#include "tests/bench/bench_support.h"
#include "core/mock_kafka.h"
#include "examples/generator/fleet_generator.h"
#include "reconciler/reconcile/checkpoint.h"
#include "reconciler/reconcile/wake.h"


namespace {

using strata::bench::ChildResult;
using strata::bench::Clock;
using strata::bench::Ms;
using strata::bench::Percentiles;
using strata::bench::RunProcess;
using strata::bench::StartProcess;
using strata::bench::Summarise;

const std::string kStrata = STRATA_BINARY;

// Makes commits that change `count` KafkaCluster specs each (a comment line appended), on the
// bare repository's main branch, one at a time.
class CommitMaker {
 public:
  CommitMaker(strata::Repository* repo, std::vector<strata::TreeFile> clusters)
      : repo_(repo), clusters_(std::move(clusters)) {}

  // Returns the new commit; `parent` gets the one it was made on.
  git_oid Make(size_t count, int revision, git_oid* parent) {
    git_repository* raw = repo_->raw();
    *parent = *repo_->ResolveCommit("refs/heads/main");
    git_commit* head = nullptr;
    git_commit_lookup(&head, raw, parent);
    git_tree* tree = nullptr;
    git_commit_tree(&tree, head);
    std::vector<git_tree_update> updates(count);
    std::vector<std::string> paths(count);
    for (size_t i = 0; i < count; ++i) {
      const strata::TreeFile& file = clusters_[(next_ + i) % clusters_.size()];
      std::string content = *repo_->ReadBlob(file.oid) + "# bench revision " +
                            std::to_string(revision) + "\n";
      git_oid blob;
      git_blob_create_from_buffer(&blob, raw, content.data(), content.size());
      paths[i] = file.path;
      updates[i] = {GIT_TREE_UPDATE_UPSERT, blob, GIT_FILEMODE_BLOB, paths[i].c_str()};
    }
    next_ += count;
    git_oid new_tree_id;
    git_tree_create_updated(&new_tree_id, raw, tree, updates.size(), updates.data());
    git_tree* new_tree = nullptr;
    git_tree_lookup(&new_tree, raw, &new_tree_id);
    git_signature* who = nullptr;
    git_signature_now(&who, "Bench", "bench@strata.dev");
    git_oid commit;
    const git_commit* parents[] = {head};
    git_commit_create(&commit, raw, "refs/heads/main", who, who, nullptr, "bench change", new_tree,
                      1, parents);
    git_signature_free(who);
    git_tree_free(new_tree);
    git_tree_free(tree);
    git_commit_free(head);
    return commit;
  }

 private:
  strata::Repository* repo_;
  std::vector<strata::TreeFile> clusters_;
  size_t next_ = 0;
};

// True once the checkpoint of main has reached `commit`.
bool Reconciled(const strata::Repository& repo, const git_oid& commit) {
  auto checkpoint = strata::reconcile::ReadCheckpoint(repo, "main");
  return checkpoint.ok() && checkpoint->exists && git_oid_equal(&checkpoint->commit, &commit);
}

void BenchFleet(int clusters, int commits, const std::vector<size_t>& change_sizes,
                const std::string& root, const std::string& kafka) {
  std::string repo_path = root + "/fleet-" + std::to_string(clusters) + ".git";
  strata::examples::FleetShape shape;
  shape.clusters = clusters;
  shape.orgs = std::max(10, clusters / 100);
  auto generated = strata::examples::WriteFleetToRepo(repo_path, shape, "main", /*bare=*/true);
  if (!generated.ok()) {
    std::fprintf(stderr, "generating: %s\n", generated.status().ToString().c_str());
    std::exit(1);
  }
  auto repo = strata::Repository::Open(repo_path);
  auto tree = repo->TreeOfCommit(*repo->ResolveCommit("refs/heads/main"));
  auto files = repo->ListFiles(*tree);
  std::vector<strata::TreeFile> kafka_specs;
  size_t specs = 0;
  for (const auto& f : *files) {
    bool spec = f.path.rfind("policy/", 0) == 0 || f.path.rfind("tenants/", 0) == 0 ||
                f.path.rfind("rollouts/", 0) == 0;
    specs += spec ? 1 : 0;
    if (f.path.find("/kafka/") != std::string::npos) kafka_specs.push_back(f);
  }
  std::printf("\n== fleet of %d clusters: %zu spec files ==\n", clusters, specs);

  ChildResult boot = RunProcess({kStrata, "reconcile", "--once", "--repo", repo_path, "--kafka", kafka},
                                root + "/bootstrap.log");
  if (boot.code != 0) {
    std::fprintf(stderr, "bootstrap failed, see %s/bootstrap.log\n", root.c_str());
    std::exit(1);
  }
  std::printf("bootstrap      %8.2f s   %9.0f specs/s to acknowledged   peak %6.1f MiB\n",
              boot.seconds, specs / boot.seconds, boot.peak_kb / 1024.0);

  pid_t watcher = StartProcess({kStrata, "reconcile", "--watch", "--repo", repo_path, "--kafka",
                                kafka, "--poll-interval", "3600"},
                               root + "/watch.log");
  if (watcher < 0) {
    std::fprintf(stderr, "cannot start %s\n", kStrata.c_str());
    std::exit(1);
  }
  std::string git_dir = git_repository_path(repo->raw());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let it bind its wake socket
  CommitMaker maker(&*repo, kafka_specs);
  int revision = 0;
  for (size_t count : change_sizes) {
    if (count > kafka_specs.size()) continue;
    std::vector<double> strata_ms;
    std::vector<double> git_ms;
    for (int i = 0; i < commits + 2; ++i) {  // the first two warm up
      git_oid parent;
      git_oid commit = maker.Make(count, ++revision, &parent);
      auto start = Clock::now();
      strata::reconcile::NotifyReconcilers(git_dir);
      auto deadline = start + std::chrono::seconds(60);
      while (!Reconciled(*repo, commit) && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
      double took = Ms(Clock::now() - start);
      if (!Reconciled(*repo, commit)) {
        std::fprintf(stderr, "the watcher did not publish a commit within 60 s; see %s/watch.log\n",
                     root.c_str());
        kill(watcher, SIGKILL);
        std::exit(1);
      }
      ChildResult git = RunProcess({"git", "-C", repo_path, "diff-tree", "-r",
                                    strata::OidToHex(parent), strata::OidToHex(commit)},
                                   "/dev/null");
      if (i < 2) continue;
      strata_ms.push_back(took);
      git_ms.push_back(git.seconds * 1000);
    }
    Percentiles s = Summarise(strata_ms);
    Percentiles g = Summarise(git_ms);
    std::printf("%5zu-file commit  strata to acknowledged: median %7.2f ms  p99 %7.2f ms   |   "
                "git diff-tree -r: median %6.2f ms  p99 %6.2f ms   (%d commits)\n",
                count, s.median, s.p99, g.median, g.p99, commits);
    std::fflush(stdout);
  }
  kill(watcher, SIGTERM);
  waitpid(watcher, nullptr, 0);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  auto kafka = strata::MockKafka::Start(3);
  if (!kafka.ok()) {
    std::fprintf(stderr, "%s\n", kafka.status().ToString().c_str());
    return 1;
  }
  std::string root = std::filesystem::temp_directory_path() /
                     ("strata-reconcile-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(root);
  std::printf("reconcile_bench: Kafka is the mock cluster at %s; %u cores\n",
              (*kafka)->bootstrap_servers().c_str(), std::thread::hardware_concurrency());
  if (quick) {
    BenchFleet(1000, 5, {1, 100}, root, (*kafka)->bootstrap_servers());
  } else {
    for (int clusters : {1000, 10000, 100000}) {
      BenchFleet(clusters, 50, {1, 100, 1000}, root, (*kafka)->bootstrap_servers());
    }
  }
  std::filesystem::remove_all(root);
  return 0;
}
