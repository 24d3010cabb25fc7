// How long `strata history KEY` takes on a long history, next to git's own path-limited walk.
//   build/tests/bench/history_bench            1,000 clusters, 10,000 commits
//   build/tests/bench/history_bench --quick    100 clusters, 500 commits (the CI smoke run)
// The repository is built fast with Repository::UpdateTree + Commit: every 50th commit a person
// changes the key's cluster and the pkc, capacity and sync controllers answer with a commit each
// (with Strata-Controller / Strata-Cause trailers and strata.dev/sources annotations, as they
// write them); the other commits change other clusters, a fifth of them as controller commits.
// Timed, in the same run: the `strata history` binary (a process, as a person runs it), the
// library call ReadHistory (no process start), and `git log --first-parent --format=%H -- PATH`.
// Exits 1 when the answers disagree or, in the full run on the packed repository, the binary
// takes a second or more.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/git.h"
#include "reconciler/audit/history.h"
#include "tests/bench/bench_support.h"

namespace {

using strata::Repository;
using strata::bench::Clock;
using strata::bench::Ms;

std::string Cluster(const std::string& org, const std::string& name, int cku) {
  return "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
         "\n  org: " + org +
         "\nspec:\n  sku: dedicated\n  cloud: aws\n  region: us-west-2\n"
         "  availability: multi-zone\n  cku: " +
         std::to_string(cku) + "\n";
}

std::string Derived(const std::string& kind, const std::string& name, const std::string& source,
                    const std::string& cause, int value) {
  return "apiVersion: strata.dev/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name +
         "\n  annotations:\n    strata.dev/sources: " + source +
         "\n    strata.dev/computed-at: " + cause + "\nspec:\n  size: " + std::to_string(value) +
         "\n";
}

int Fail(const strata::Status& s) {
  std::fprintf(stderr, "history_bench: %s\n", s.ToString().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int clusters = quick ? 100 : 1000;
  const int commits = quick ? 500 : 10000;
  std::string dir = std::filesystem::temp_directory_path() /
                    ("strata-history-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto repo = Repository::Init(dir, true, "main");
  if (!repo.ok()) return Fail(repo.status());

  auto build_start = Clock::now();
  const std::string key_path = "tenants/acme/kafka/orders.yaml";
  std::vector<Repository::TreeUpdate> fleet;
  for (int i = 0; i < clusters; ++i) {
    std::string org = "org" + std::to_string(i % 50);
    std::string name = "c" + std::to_string(i);
    fleet.push_back({"tenants/" + org + "/kafka/" + name + ".yaml", Cluster(org, name, 1)});
  }
  fleet.push_back({key_path, Cluster("acme", "orders", 2)});
  auto tree = repo->UpdateTree({}, fleet);
  if (!tree.ok()) return Fail(tree.status());
  auto head = repo->Commit("", *tree, {}, "the fleet", "Ada", "ada@example.com");
  if (!head.ok()) return Fail(head.status());
  int made = 1;
  int key_changes = 1;
  auto commit = [&](const std::vector<Repository::TreeUpdate>& updates, const std::string& message,
                    const std::string& who) -> strata::Status {
    ASSIGN_OR_RETURN(git_oid base, repo->TreeOfCommit(*head));
    ASSIGN_OR_RETURN(git_oid next, repo->UpdateTree(base, updates));
    ASSIGN_OR_RETURN(git_oid id, repo->Commit("", next, {*head}, message, who,
                                              who + "@controllers.strata.local"));
    head = id;
    ++made;
    return strata::Status::Ok();
  };
  auto controller = [&](const std::string& name, const std::string& cause) {
    return name + ": 1 updated file\n\nStrata-Controller: " + name + "\nStrata-Cause: " + cause +
           "\n";
  };
  for (int i = 1; made < commits; ++i) {
    if (i % 50 == 0) {
      std::string person = strata::OidToHex(*head);
      strata::Status s = commit({{key_path, Cluster("acme", "orders", 2 + i % 7)}},
                                "orders to " + std::to_string(2 + i % 7) + " CKU", "Ada");
      if (!s.ok()) return Fail(s);
      ++key_changes;
      std::string cause = strata::OidToHex(*head);
      const std::string pkc = "derived/pkc/acme/pkc-acme-orders.yaml";
      const std::string k8s = "derived/capacity/aws-us-west-2/k8s-acme-orders.yaml";
      const std::string sat = "satellites/aws-us-west-2-1/k8s-acme-orders/pkc-acme-orders.yaml";
      for (auto [name, path, source] :
           {std::tuple{"pkc", pkc, key_path}, {"capacity", k8s, pkc}, {"sync", sat, pkc}}) {
        s = commit({{path, Derived("X", "x", source, cause, i)}}, controller(name, cause), name);
        if (!s.ok()) return Fail(s);
        cause = strata::OidToHex(*head);
      }
      continue;
    }
    int c = i % clusters;
    std::string org = "org" + std::to_string(c % 50);
    std::string name = "c" + std::to_string(c);
    std::string path = "tenants/" + org + "/kafka/" + name + ".yaml";
    strata::Status s =
        i % 5 == 0
            ? commit({{"derived/pkc/" + org + "/pkc-" + name + ".yaml",
                       Derived("PhysicalKafkaCluster", name, path, strata::OidToHex(*head), i)}},
                     controller("pkc", strata::OidToHex(*head)), "pkc")
            : commit({{path, Cluster(org, name, 1 + i % 9)}}, "resize " + name, "Bo");
    if (!s.ok()) return Fail(s);
  }
  if (auto s = repo->CompareAndSwapRef("refs/heads/main", {}, *head, "bench"); !s.ok())
    return Fail(s);
  double build_ms = Ms(Clock::now() - build_start);
  std::printf("history_bench: %d clusters, %d commits (%d change the key), built in %.0f ms\n",
              clusters, made, key_changes, build_ms);

  // Timed twice: as written (loose objects, as a fresh local repo holds them) and after
  // `git repack -ad` (as a git host or a gc'd clone holds them).
  bool failed = false;
  for (const char* layout : {"loose objects", "packed"}) {
    if (std::strcmp(layout, "packed") == 0) {
      auto packed = strata::bench::RunProcess({"git", "-C", dir, "repack", "-adq"}, "/dev/null");
      if (packed.code != 0) return Fail(strata::Status::Internal("git repack failed"));
      auto reopened = Repository::Open(dir);
      if (!reopened.ok()) return Fail(reopened.status());
      repo = std::move(reopened);
    }
    std::printf(" %s:\n", layout);
    // The library call, best of 3.
    double library_ms = 1e9;
    size_t entries = 0, caused = 0;
    for (int run = 0; run < 3; ++run) {
      auto start = Clock::now();
      auto history = strata::audit::ReadHistory(*repo, {"KafkaCluster/acme/orders"});
      if (!history.ok()) return Fail(history.status());
      library_ms = std::min(library_ms, Ms(Clock::now() - start));
      entries = history->entries.size();
      caused = 0;
      for (const auto& e : history->entries) caused += e.caused.size();
    }
    // The binary, best of 3, and git's walk, best of 3.
    double binary_ms = 1e9, git_ms = 1e9;
    long peak_kb = 0;
    for (int run = 0; run < 3; ++run) {
      auto r = strata::bench::RunProcess(
          {STRATA_BINARY, "history", "KafkaCluster/acme/orders", "--repo", dir, "--output", "json"},
          "/dev/null");
      if (r.code != 0)
        return Fail(strata::Status::Internal("strata history exited " + std::to_string(r.code)));
      binary_ms = std::min(binary_ms, r.seconds * 1000);
      peak_kb = std::max(peak_kb, r.peak_kb);
      auto g = strata::bench::RunProcess(
          {"git", "-C", dir, "log", "--first-parent", "--format=%H", "--", key_path},
          dir + "/git-log.out");
      if (g.code != 0) return Fail(strata::Status::Internal("git log failed"));
      git_ms = std::min(git_ms, g.seconds * 1000);
    }
    size_t git_lines = 0;
    {
      std::ifstream in(dir + "/git-log.out");
      for (std::string line; std::getline(in, line);) ++git_lines;
    }
    std::printf("  strata history (binary, json)     %8.1f ms   peak %ld KiB\n", binary_ms,
                peak_kb);
    std::printf("  ReadHistory (library call)        %8.1f ms   %zu changes, %zu caused commits\n",
                library_ms, entries, caused);
    std::printf("  git log --first-parent -- PATH    %8.1f ms   %zu commits\n", git_ms, git_lines);
    if (entries != git_lines || static_cast<int>(entries) != key_changes ||
        caused != 3 * (entries - 1)) {
      std::fprintf(stderr, "history_bench: answers disagree\n");
      failed = true;
    }
    // The target is for a repository as git keeps it (packed); loose objects are shown for scale.
    if (!quick && std::strcmp(layout, "packed") == 0 && binary_ms >= 1000) {
      std::fprintf(stderr, "history_bench: over the one-second target\n");
      failed = true;
    }
  }
  if (std::getenv("HISTORY_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
  return failed ? 1 : 0;
}
