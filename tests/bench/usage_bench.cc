// Benchmark: `strata usage` over a year of fleet history, with the git command line walking the
// same history as the yardstick.
//
//   build/tests/bench/usage_bench            1,000 orgs, 10,000 clusters, 20,000 people commits
//                                            over 365 days plus a controller commit (derived/)
//                                            after every fourth of them
//   build/tests/bench/usage_bench --quick    50 orgs, 500 clusters, 1,000 people commits (CI smoke)
//   ... --keep                               keeps the repository afterwards, to profile against
//
// The history is written with libgit2 with chosen commit times, then packed (`git repack -ad`),
// as a hosted fleet repo is. It times, as child processes, median of 3 runs each:
//   - `strata usage --org X --from <start> --to <end> -o csv`, a whole year for one org, against
//     `git log --first-parent --format='%H %ct' -- tenants/X/`;
//   - `strata usage` without --org, against the same `git log` on `tenants/`.
// and checks the answers are plausible (rows for the org, exit 0). Target: under a second for one
// org.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "reconciler/audit/dates.h"
#include "reconciler/audit/usage_test_support.h"
#include "tests/bench/bench_support.h"

namespace {

using strata::audit::testing::KafkaClusterYaml;
using strata::audit::testing::KafkaPath;
using strata::bench::RunProcess;

const std::string kStrata = STRATA_BINARY;

struct Shape {
  int orgs;
  int clusters;
  int people_commits;
};

std::string OrgName(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "org-%04d", i);
  return name;
}

struct Cluster {
  std::string org;
  std::string name;
  int cku;
  int region;
};

const char* const kRegions[] = {"us-west-2", "us-east-1", "eu-central-1"};

std::string Yaml(const Cluster& c) {
  return c.cku == 0
             ? KafkaClusterYaml(c.org, c.name, "standard", "aws", kRegions[c.region], std::nullopt)
             : KafkaClusterYaml(c.org, c.name, "dedicated", "aws", kRegions[c.region], c.cku);
}

// Writes the year: the fleet at `start`, then people commits evenly spread over 365 days, each
// resizing, moving or (one in ten) deleting and re-creating one cluster, and a controller commit
// under derived/ after every fourth.
void WriteHistory(strata::audit::testing::TimedHistory* history, const Shape& shape,
                  int64_t start) {
  std::mt19937 random(42);
  std::vector<Cluster> clusters;
  std::vector<strata::Repository::TreeUpdate> initial;
  for (int i = 0; i < shape.clusters; ++i) {
    Cluster c{OrgName(i % shape.orgs), "cluster-" + std::to_string(i),
              static_cast<int>(i % 3 == 0 ? 0 : 1 + i % 8), static_cast<int>(i % 3)};
    initial.push_back({KafkaPath(c.org, c.name), Yaml(c)});
    clusters.push_back(std::move(c));
  }
  history->Commit(start, initial, "the fleet");
  const int64_t year = 365 * 86400;
  for (int i = 0; i < shape.people_commits; ++i) {
    int64_t at = start + 1 + static_cast<int64_t>(i) * (year - 2) / shape.people_commits;
    Cluster& c = clusters[random() % clusters.size()];
    int what = static_cast<int>(random() % 10);
    if (what == 0) {
      history->Remove(at, KafkaPath(c.org, c.name));
      history->Put(at + 600, KafkaPath(c.org, c.name), Yaml(c), "re-create " + c.name);
    } else {
      if (what < 8)
        c.cku = c.cku == 0 ? 0 : 1 + static_cast<int>(random() % 12);
      else
        c.region = (c.region + 1) % 3;
      history->Put(at, KafkaPath(c.org, c.name), Yaml(c), "change " + c.name);
    }
    if (i % 4 == 3) {
      history->Commit(at + 60,
                      {{"derived/pkc/" + c.org + "/" + c.name + ".yaml",
                        "kind: PhysicalKafkaCluster\n# revision " + std::to_string(i) + "\n"}},
                      "pkc: 1 physical cluster updated\n\nStrata-Controller: pkc\n", "",
                      "strata pkc");
    }
  }
}

double Median3(const std::vector<std::string>& argv, const std::string& log, int* code) {
  std::vector<double> seconds;
  for (int i = 0; i < 3; ++i) {
    strata::bench::ChildResult r = RunProcess(argv, log);
    *code = r.code;
    seconds.push_back(r.seconds);
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[1];
}

size_t Lines(const std::string& file) {
  std::ifstream in(file);
  return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
}

int Bench(const Shape& shape, const std::string& root) {
  std::string repo = root + "/fleet.git";
  int64_t start = *strata::audit::ParseInstant("2025-01-01");
  auto began = strata::bench::Clock::now();
  {
    strata::audit::testing::TimedHistory history(repo);
    WriteHistory(&history, shape, start);
  }
  double written = strata::bench::Ms(strata::bench::Clock::now() - began) / 1000;
  began = strata::bench::Clock::now();
  if (RunProcess({"git", "-C", repo, "repack", "-adq"}, root + "/repack.log").code != 0) {
    std::fprintf(stderr, "git repack failed, see %s/repack.log\n", root.c_str());
    return 1;
  }
  double packed = strata::bench::Ms(strata::bench::Clock::now() - began) / 1000;
  std::printf(
      "== %d orgs, %d clusters, %d people commits + %d controller commits over 365 days "
      "(written in %.1f s, packed in %.1f s) ==\n",
      shape.orgs, shape.clusters, shape.people_commits, shape.people_commits / 4, written, packed);

  std::string org = OrgName(shape.orgs / 2);
  std::string out = root + "/usage.out";
  int code = 0;
  double one_org = Median3({kStrata, "usage", "--repo", repo, "--org", org, "--from", "2025-01-01",
                            "--to", "2026-01-01", "-o", "csv"},
                           out, &code);
  if (code != 0 || Lines(out) < 2) {
    std::fprintf(stderr, "strata usage --org %s failed or billed nothing, see %s\n", org.c_str(),
                 out.c_str());
    return 1;
  }
  size_t org_rows = Lines(out) - 1;
  double git_org = Median3(
      {"git", "-C", repo, "log", "--first-parent", "--format=%H %ct", "--", "tenants/" + org + "/"},
      root + "/git.out", &code);
  size_t org_commits = Lines(root + "/git.out");
  std::printf(
      "one org, a year     strata usage --org %s: %7.3f s (%zu rows)   |   git log "
      "--first-parent -- tenants/%s/: %7.3f s (%zu commits)\n",
      org.c_str(), one_org, org_rows, org.c_str(), git_org, org_commits);

  double all = Median3(
      {kStrata, "usage", "--repo", repo, "--from", "2025-01-01", "--to", "2026-01-01", "-o", "csv"},
      out, &code);
  if (code != 0) {
    std::fprintf(stderr, "strata usage failed, see %s\n", out.c_str());
    return 1;
  }
  size_t all_rows = Lines(out) - 1;
  double git_all =
      Median3({"git", "-C", repo, "log", "--first-parent", "--format=%H %ct", "--", "tenants/"},
              root + "/git.out", &code);
  std::printf(
      "every org, a year   strata usage:              %7.3f s (%zu rows)   |   git log "
      "--first-parent -- tenants/:        %7.3f s (%zu commits)\n",
      all, all_rows, git_all, Lines(root + "/git.out"));

  double month = Median3({kStrata, "usage", "--repo", repo, "--org", org, "--from", "2025-12-01",
                          "--to", "2026-01-01", "-o", "csv"},
                         out, &code);
  double git_month = Median3({"git", "-C", repo, "log", "--first-parent", "--since=2025-12-01",
                              "--format=%H %ct", "--", "tenants/" + org + "/"},
                             root + "/git.out", &code);
  std::printf(
      "one org, last month strata usage --org %s: %7.3f s             |   git log "
      "--since -- tenants/%s/:        %7.3f s\n",
      org.c_str(), month, org.c_str(), git_month);
  std::fflush(stdout);
  std::printf("target: one org over a year under 1 s: %s\n", one_org < 1.0 ? "met" : "MISSED");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::string root =
      std::filesystem::temp_directory_path() / ("strata-usage-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  Shape shape = quick ? Shape{50, 500, 1000} : Shape{1000, 10000, 20000};
  int rc = Bench(shape, root);
  if (argc > 1 && std::strcmp(argv[argc - 1], "--keep") == 0) {
    std::printf("kept the history in %s/fleet.git\n", root.c_str());
  } else {
    std::filesystem::remove_all(root);
  }
  return rc;
}
