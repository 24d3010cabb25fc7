// Benchmark: the server-side guard (the pre-receive hook of `strata hook install --server`) on a
// one-file push to a large fleet, with git's own push into the same repository without the hook
// as the yardstick.
//
//   build/tests/bench/guard_bench                 100,000 clusters, 20 pushes
//   build/tests/bench/guard_bench --clusters N    another fleet size
//   build/tests/bench/guard_bench --quick         2,000 clusters, 3 pushes (the CI smoke run)
//
// It prints, as medians (and p99) over the pushes:
//   - the hook alone: `strata hook pre-receive` checking the pushed commit, run as git runs it;
//   - `git push` of a one-file change into the guarded bare repository;
//   - the same push into an identical bare repository without hooks (the peer).
// Target: the hook under 100 ms on a 100,000-cluster fleet.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/git.h"
#include "tests/bench/bench_support.h"

namespace {

using strata::bench::Clock;
using strata::bench::Ms;
using strata::bench::Summarise;

const std::string kStrata = STRATA_BINARY;

void Run(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
}

double TimeMs(const std::string& command) {
  auto start = Clock::now();
  Run(command);
  return Ms(Clock::now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  int clusters = 100000;
  int pushes = 20;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      clusters = 2000;
      pushes = 3;
    } else if (std::strcmp(argv[i], "--clusters") == 0 && i + 1 < argc) {
      clusters = std::atoi(argv[++i]);
    }
  }
  std::string dir =
      std::filesystem::temp_directory_path() / ("strata-guard-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::printf("guard_bench: %d clusters, %d one-file pushes\n", clusters, pushes);
  auto made = Clock::now();
  Run(kStrata + " gen fleet --bare --repo " + dir + "/fleet.git --clusters " +
      std::to_string(clusters) + " >/dev/null");
  Run("git -C " + dir + "/fleet.git gc -q");
  for (const char* server : {"guarded", "plain", "client"}) {
    Run("git clone -q --bare " + dir + "/fleet.git " + dir + "/" + server + ".git");
  }
  Run(kStrata + " hook install --server " + dir + "/guarded.git >/dev/null");
  Run("git -C " + dir + "/client.git remote add guarded " + dir + "/guarded.git");
  Run("git -C " + dir + "/client.git remote add plain " + dir + "/plain.git");
  std::printf("  setup (generate, pack, clone): %.1f s\n",
              std::chrono::duration<double>(Clock::now() - made).count());

  auto client = strata::Repository::Open(dir + "/client.git");
  if (!client.ok()) return 1;
  auto head = client->ResolveCommit("refs/heads/main");
  auto files = client->ListFilesUnder(*client->TreeOfCommit(*head), "tenants");
  std::vector<strata::TreeFile> specs;
  for (const auto& f : *files) {
    if (f.path.find("/kafka/") != std::string::npos) specs.push_back(f);
  }
  std::vector<double> hook_ms, guarded_ms, plain_ms;
  for (int i = 0; i < pushes; ++i) {
    // One cluster spec changed (a comment appended: still valid), committed on the client.
    git_oid parent = *client->ResolveCommit("refs/heads/main");
    const strata::TreeFile& file = specs[(static_cast<size_t>(i) * 7919) % specs.size()];
    std::string content = *client->ReadBlob(file.oid) + "# push " + std::to_string(i) + "\n";
    auto tree = client->UpdateTree(*client->TreeOfCommit(parent), {{file.path, content}});
    auto commit = client->Commit("refs/heads/main", *tree, {parent},
                                 "bench: push " + std::to_string(i), "Ada", "ada@example.com");
    if (!commit.ok()) return 1;
    guarded_ms.push_back(TimeMs("git -C " + dir + "/client.git push -q guarded main"));
    plain_ms.push_back(TimeMs("git -C " + dir + "/client.git push -q plain main"));
    // The hook alone, as git runs it (the objects are in the repository by now).
    hook_ms.push_back(TimeMs("cd " + dir + "/guarded.git && echo '" + strata::OidToHex(parent) +
                             " " + strata::OidToHex(*commit) + " refs/heads/main' | GIT_DIR=. " +
                             kStrata + " hook pre-receive"));
  }
  auto hook = Summarise(hook_ms), guarded = Summarise(guarded_ms), plain = Summarise(plain_ms);
  std::printf(
      "  strata hook pre-receive alone        median %7.1f ms   p99 %7.1f ms   (target < 100 ms)\n",
      hook.median, hook.p99);
  std::printf("  git push into the guarded repository median %7.1f ms   p99 %7.1f ms\n",
              guarded.median, guarded.p99);
  std::printf("  git push, no hook (peer)             median %7.1f ms   p99 %7.1f ms\n",
              plain.median, plain.p99);
  std::filesystem::remove_all(dir);
  return 0;
}
