// Benchmark: validating a synthetic fleet from a git tree, against plain YAML::Load of the same
// blobs as the yardstick. Prints specs per second, wall time and peak memory for each.
//
//   build/tests/bench/validate_bench            10,000 and 100,000 clusters
//   build/tests/bench/validate_bench --quick    1,000 clusters (the CI smoke run)
//
// Each measurement runs in a forked child so that its peak resident memory (ru_maxrss from wait4)
// is its own, not the benchmark's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/git.h"
#include "examples/generator/fleet_generator.h"
#include "specs/validate.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Measurement {
  double seconds = 0;
  long files = 0;
  long peak_kb = 0;
  bool ok = false;
};

struct Timed {
  long files;  // -1 on failure
  double seconds;
};

// Runs `body` in a child; it returns the files it handled and the seconds its timed part took.
template <class Body>
Measurement InChild(Body body) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Timed t = body();
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%ld %.6f", t.files, t.seconds);
    (void)!write(fds[1], buf, static_cast<size_t>(n));
    _exit(t.files < 0 ? 1 : 0);
  }
  close(fds[1]);
  char buf[64] = {};
  (void)!read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Measurement m;
  std::sscanf(buf, "%ld %lf", &m.files, &m.seconds);
  m.peak_kb = usage.ru_maxrss;
  m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return m;
}

void Print(const char* what, const Measurement& m) {
  if (!m.ok) {
    std::printf("  %-44s FAILED\n", what);
    return;
  }
  std::printf("  %-44s %8ld specs %8.3f s %10.0f specs/s %8.1f MiB peak\n", what, m.files,
              m.seconds, static_cast<double>(m.files) / m.seconds,
              static_cast<double>(m.peak_kb) / 1024.0);
}

// Every blob of the spec areas at HEAD, read once (not timed).
std::vector<std::string> ReadBlobs(const std::string& repo_path) {
  std::vector<std::string> blobs;
  auto repo = strata::Repository::Open(repo_path);
  auto commit = repo->ResolveCommit("HEAD");
  auto tree = repo->TreeOfCommit(*commit);
  auto files = repo->ListFiles(*tree);
  for (const auto& f : *files) {
    if (f.path.rfind("tenants/", 0) == 0 || f.path.rfind("policy/", 0) == 0) {
      blobs.push_back(*repo->ReadBlob(f.oid));
    }
  }
  return blobs;
}

bool RunSize(int clusters, const std::string& dir) {
  std::string repo = dir + "/fleet-" + std::to_string(clusters);
  strata::examples::FleetShape shape{clusters, std::max(1, clusters / 50), 7};
  auto gen_start = Clock::now();
  auto generated = strata::examples::WriteFleetToRepo(repo, shape, "main", true);
  if (!generated.ok()) {
    std::fprintf(stderr, "gen: %s\n", generated.status().ToString().c_str());
    return false;
  }
  std::printf("fleet of %d clusters (%zu files), generated in %.2f s\n", clusters, generated->files,
              std::chrono::duration<double>(Clock::now() - gen_start).count());

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  bool all_valid = true;
  for (int threads : {1, static_cast<int>(cores)}) {
    Measurement m = InChild([&]() -> Timed {
      auto begin = Clock::now();
      auto report = strata::specs::ValidateRevision(repo, "HEAD", {threads});
      double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
      if (!report.ok() || !report->ok()) return {-1, seconds};
      return {static_cast<long>(report->files_checked), seconds};
    });
    std::string label = "strata validate --repo (" + std::to_string(threads) + " thread" +
                        (threads == 1 ? "" : "s") + ")";
    Print(label.c_str(), m);
    all_valid = all_valid && m.ok;
  }
  // The yardstick: yaml-cpp's YAML::Load of the same blobs, one thread, blobs read beforehand.
  Measurement yardstick = InChild([&]() -> Timed {
    std::vector<std::string> blobs = ReadBlobs(repo);
    auto begin = Clock::now();
    for (const auto& b : blobs) {
      YAML::Node n = YAML::Load(b);
      if (!n.IsMap()) return {-1, 0};
    }
    return {static_cast<long>(blobs.size()),
            std::chrono::duration<double>(Clock::now() - begin).count()};
  });
  Print("yardstick: YAML::Load alone (1 thread)", yardstick);
  return all_valid;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::string dir = std::filesystem::temp_directory_path() / ("strata-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<int> sizes = quick ? std::vector<int>{1000} : std::vector<int>{10'000, 100'000};
  bool ok = true;
  for (int n : sizes) ok = RunSize(n, dir) && ok;
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
