// Benchmark: a Kafka version rollout over a fleet of simulated clusters, through
// `strata up --separate-processes --sim-time-scale 0` (its embedded Kafka, one process per part,
// sim agents at zero delay), against its peer: the same kind of change made all at once.
//
//   build/tests/bench/rollout_bench           10,000 physical clusters, maxConcurrent 1000
//   build/tests/bench/rollout_bench --quick   300 physical clusters, maxConcurrent 30 (CI smoke)
//   build/tests/bench/rollout_bench --clusters N --max-concurrent M [--waves] [--no-peer] [--keep]
//       --waves: two waves (10%, then the rest) instead of one; --no-peer: the rollout only;
//       --keep: leave the repos and up's home (its logs) behind
//
// The fleet is `strata gen fleet` with every cluster dedicated, so each logical cluster is one
// physical cluster. Once it is Ready:
//   1. the peer: one commit sets every KafkaCluster's kafkaVersion to 3.8; the clock stops when
//      the agents report every physical cluster Ready at 3.8 on strata.status;
//   2. the rollout: rollouts/bench.yaml changes kafkaVersion to 3.9, maxConcurrent M, no soak;
//      the clock stops when derived/rollout/progress/bench.yaml on main says phase Complete.
// For each it prints where the time went (each part's commits, their batch times and how busy it
// was). For the rollout also: the most clusters ever in flight, both from every version of the
// progress file and from the targets' releasedAt/doneAt; the rollout controller's time per batch;
// every process's peak memory; and that every simulated broker runs 3.9. Exits 1 when the fleet
// does not complete or a wave ever had more than maxConcurrent in flight.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/git.h"
#include "examples/generator/fleet_generator.h"
#include "reconciler/reconcile/wake.h"
#include "reconciler/rollout/fleet_cluster.h"
#include "reconciler/rollout/target.h"
#include "specs/yaml_loader.h"
#include "tests/bench/bench_support.h"

namespace {

using strata::Repository;
using strata::bench::Clock;
using strata::bench::StatusWatch;
using strata::bench::Summarise;

const std::string kStrata = STRATA_BINARY;
constexpr const char* kPeerVersion = "3.8";
constexpr const char* kRolloutVersion = "3.9";
constexpr const char* kProgressPath = "derived/rollout/progress/bench.yaml";

struct Options {
  int clusters = 10000;
  int max_concurrent = 1000;
  bool two_waves = false;
  bool peer = true;
  bool keep = false;
  std::chrono::minutes limit{10};  // for each phase
};

pid_t g_up = -1;  // strata up, stopped on the way out

void Fail(const std::string& message) {
  std::fprintf(stderr, "rollout_bench: %s\n", message.c_str());
  if (g_up > 0) {
    kill(g_up, SIGTERM);
    waitpid(g_up, nullptr, 0);
  }
  std::exit(1);
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::optional<strata::specs::Node> ParseYaml(const std::string& path, const std::string& text) {
  strata::specs::Diagnostics diagnostics;
  auto doc = strata::specs::LoadYaml(path, text, &diagnostics);
  if (!doc.has_value()) return std::nullopt;
  return std::move(doc->root);
}

// The document at `path` in the tree of `commit`, parsed; nullopt when absent or unreadable.
std::optional<strata::specs::Node> ReadDoc(const Repository& repo, const git_oid& commit,
                                           const std::string& path) {
  auto tree = repo.TreeOfCommit(commit);
  if (!tree.ok()) return std::nullopt;
  auto file = repo.FindPath(*tree, path);
  if (!file.ok()) return std::nullopt;
  auto text = repo.ReadBlob(file->oid);
  if (!text.ok()) return std::nullopt;
  return ParseYaml(path, *text);
}

size_t FilesUnder(const Repository& repo, const git_oid& commit, const std::string& dir) {
  auto files = repo.ListFilesUnder(*repo.TreeOfCommit(commit), dir);
  return files.ok() ? files->size() : 0;
}

// Commits the files `edit` returns for main's tree on top of main, as a person's merged change,
// and wakes the reconciler (as the post-receive hook does). Retries when a controller moved main.
git_oid PushToMain(Repository& repo,
                   const std::function<std::vector<Repository::TreeUpdate>(const git_oid&)>& edit,
                   const std::string& message) {
  for (;;) {
    git_oid head = *repo.ResolveCommit("refs/heads/main");
    git_oid tree = *repo.TreeOfCommit(head);
    auto new_tree = repo.UpdateTree(tree, edit(tree));
    if (!new_tree.ok()) Fail(new_tree.status().ToString());
    auto commit = repo.Commit("", *new_tree, {head}, message, "Bench", "bench@strata.dev");
    if (!commit.ok()) Fail(commit.status().ToString());
    if (repo.CompareAndSwapRef("refs/heads/main", head, *commit, "bench").ok()) {
      strata::reconcile::NotifyReconcilers(git_repository_path(repo.raw()));
      return *commit;
    }
  }
}

// --- where the time went: the parts' own log lines -------------------------------------------

// "2026-11-22 10:00:00.123" (local time, as spdlog writes it) → milliseconds since the epoch.
std::optional<int64_t> LogLineMs(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&tm)) * 1000 + ms;
}

// What one part did between two instants, from its log.
// Controllers log "NAME: N paths → commit … (F files) in X ms" per commit; the reconciler
// "published SHA on main: N events, …" per commit it publishes.
struct Activity {
  int commits = 0;
  int64_t items = 0;  // files written; events published
  std::vector<double> batch_ms;
  int64_t first_ms = 0, last_ms = 0;
};

Activity ReadActivity(const std::string& log, const std::string& name, int64_t from_ms,
                      int64_t to_ms) {
  Activity a;
  std::ifstream in(log);
  const std::string commit_mark = name + ": ";
  for (std::string line; std::getline(in, line);) {
    std::optional<int64_t> at = LogLineMs(line);
    if (!at.has_value() || *at < from_ms || *at > to_ms) continue;
    size_t paths = line.find(" paths → commit ");
    size_t published = line.find(" published ");
    if (paths != std::string::npos && line.find(commit_mark) != std::string::npos) {
      size_t files = line.find(" (", paths);
      size_t took = line.find(" files) in ", paths);
      if (files == std::string::npos || took == std::string::npos) continue;
      a.items += std::atol(line.c_str() + files + 2);
      a.batch_ms.push_back(std::atof(line.c_str() + took + std::strlen(" files) in ")));
    } else if (name == "reconciler" && published != std::string::npos) {
      size_t events = line.find(": ", published);
      if (events != std::string::npos) a.items += std::atol(line.c_str() + events + 2);
    } else {
      continue;
    }
    if (a.commits++ == 0) a.first_ms = *at;
    a.last_ms = *at;
  }
  return a;
}

// The processor time each part has used so far: up (with its embedded Kafka), each of its
// children by name, the agents together; and, under "[busy]", "[bench]" and "[steal]", the whole
// machine's busy time, this benchmark's own, and the time the hypervisor gave to others.
std::map<std::string, double> CpuByPart(pid_t up) {
  std::map<std::string, double> cpu = {{"up (Kafka)", strata::bench::CpuSeconds(up)}};
  for (const auto& part : strata::bench::UpParts(up)) {
    bool agent = part.name.rfind("agent ", 0) == 0;
    cpu[agent ? "agents" : part.name] += strata::bench::CpuSeconds(part.pid);
  }
  std::ifstream stat("/proc/stat");
  std::string label;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  cpu["[busy]"] = (user + nice + system + irq + softirq) / tick;
  cpu["[steal]"] = steal / tick;
  cpu["[bench]"] = strata::bench::CpuSeconds(getpid());
  return cpu;
}

// What each part used from `before` to now, the busiest first, against what the cores had.
void PrintCpu(pid_t up, const std::map<std::string, double>& before, Clock::duration took) {
  std::vector<std::pair<double, std::string>> used;
  std::map<std::string, double> machine;
  double total = 0;
  for (const auto& [part, seconds] : CpuByPart(up)) {
    auto b = before.find(part);
    double delta = seconds - (b == before.end() ? 0 : b->second);
    if (part[0] == '[') {
      machine[part] = delta;
      continue;
    }
    total += delta;
    if (delta >= 0.05) used.push_back({delta, part});
  }
  std::sort(used.rbegin(), used.rend());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("  processor time %.0f s of the %u × %.1f s the cores had:", total, cores,
              Seconds(took));
  for (size_t i = 0; i < used.size(); ++i) {
    std::printf("%s %s %.1f s", i == 0 ? "" : ",", used[i].second.c_str(), used[i].first);
  }
  std::printf(
      "; the machine was busy %.0f s (this benchmark %.1f s), %.1f s stolen by the "
      "hypervisor\n",
      machine["[busy]"], machine["[bench]"], machine["[steal]"]);
}

// One line per part that did something from `push_ms` to `end_ms`, then the agents.
void PrintHops(const std::string& logs, int64_t push_ms, int64_t end_ms, const StatusWatch& status,
               Clock::time_point push, const std::string& version) {
  std::printf("  %-20s %8s %8s %8s  %-26s %s\n", "part", "commits", "files", "busy s",
              "batch median/p99/max ms", "first .. last commit, s after the push");
  std::vector<std::pair<std::string, std::string>> parts = {{"reconciler", "reconciler"}};
  for (const auto& entry : std::filesystem::directory_iterator(logs)) {
    std::string file = entry.path().filename();
    if (file.rfind("controller-", 0) == 0) {
      std::string name = file.substr(11, file.size() - 15);
      parts.push_back({"controller " + name, name});
    }
  }
  std::sort(parts.begin() + 1, parts.end());
  for (const auto& [label, name] : parts) {
    std::string log = logs + "/" + (name == "reconciler" ? name : "controller-" + name) + ".log";
    Activity a = ReadActivity(log, name, push_ms, end_ms);
    if (a.commits == 0) continue;
    double busy = 0;
    for (double ms : a.batch_ms) busy += ms / 1000;
    std::string batches = "-";
    if (!a.batch_ms.empty()) {
      auto p = Summarise(a.batch_ms);
      char text[64];
      std::snprintf(text, sizeof text, "%.0f / %.0f / %.0f", p.median, p.p99,
                    *std::max_element(a.batch_ms.begin(), a.batch_ms.end()));
      batches = text;
    }
    std::printf("  %-20s %8d %8lld %8s  %-26s %.1f .. %.1f\n", label.c_str(), a.commits,
                static_cast<long long>(a.items),
                a.batch_ms.empty() ? "-" : std::to_string(busy).substr(0, 5).c_str(),
                batches.c_str(), (a.first_ms - push_ms) / 1000.0, (a.last_ms - push_ms) / 1000.0);
  }
  // The agents: when the Ready reports at the new version arrived.
  int reports = 0;
  Clock::time_point first = Clock::time_point::max(), last{};
  for (const auto& [key, seen] : status.all()) {
    if (key.rfind("PhysicalKafkaCluster/", 0) != 0 || seen.status.phase != "Ready" ||
        seen.status.version != version || seen.at < push) {
      continue;
    }
    ++reports;
    first = std::min(first, seen.at);
    last = std::max(last, seen.at);
  }
  if (reports > 0) {
    std::printf("  %-20s %8d clusters reported Ready at %s                  %.1f .. %.1f\n",
                "agents", reports, version.c_str(), Seconds(first - push), Seconds(last - push));
  }
}

// --- the fleet -------------------------------------------------------------------------------

// PhysicalKafkaCluster keys reported Ready at `version` (since `since`).
size_t ReadyAt(const StatusWatch& status, const std::string& version, Clock::time_point since) {
  size_t n = 0;
  for (const auto& [key, seen] : status.all()) {
    if (key.rfind("PhysicalKafkaCluster/", 0) == 0 && seen.status.phase == "Ready" &&
        seen.status.version == version && seen.at >= since) {
      ++n;
    }
  }
  return n;
}

struct Run {
  Options options;
  std::string root;
  std::unique_ptr<Repository> repo;
  strata::bench::UpProcess up;
  std::string home;
  std::unique_ptr<StatusWatch> status;
  std::vector<std::string> satellites;
  size_t physical = 0;  // PhysicalKafkaCluster files on main
  bool ok = true;
};

// Waits for the cake to settle after `from` and every agent to apply its slice; returns main.
git_oid Settle(Run& run, const git_oid& from, Clock::time_point deadline) {
  strata::bench::Settled settled =
      strata::bench::WaitUntilSettled(*run.repo, run.up.kafka, from, deadline, run.status.get());
  size_t applied =
      strata::bench::WaitForSlicesApplied(*run.repo, run.satellites, deadline, run.status.get());
  if (applied != run.satellites.size()) {
    Fail(std::to_string(applied) + " of " + std::to_string(run.satellites.size()) +
         " agents applied their slice in time; see " + run.home + "/logs");
  }
  return settled.head;
}

// 1. The peer: every KafkaCluster's kafkaVersion set in one commit.
void Peer(Run& run) {
  std::printf("\n== the peer: one commit sets kafkaVersion %s on every KafkaCluster ==\n",
              kPeerVersion);
  auto edit = [&](const git_oid& tree) {
    std::vector<Repository::TreeUpdate> updates;
    auto files = run.repo->ListFilesUnder(tree, "tenants");
    for (const auto& f : *files) {
      if (f.path.find("/kafka/") == std::string::npos) continue;
      std::string text = *run.repo->ReadBlob(f.oid);
      if (text.find("kafkaVersion") != std::string::npos) Fail(f.path + " has a kafkaVersion");
      updates.push_back({f.path, text + "  kafkaVersion: \"" + kPeerVersion + "\"\n"});
    }
    return updates;
  };
  std::map<std::string, double> cpu = CpuByPart(run.up.pid);
  int64_t push_ms = WallMs();
  auto push = Clock::now();
  git_oid commit =
      PushToMain(*run.repo, edit, std::string("bench: every cluster to Kafka ") + kPeerVersion);
  size_t ready = 0;
  while (Clock::now() - push < run.options.limit && ready < run.physical) {
    run.status->Drain(100);
    ready = ReadyAt(*run.status, kPeerVersion, push);
  }
  double seconds = Seconds(Clock::now() - push);
  std::printf(
      "all at once     %zu of %zu physical clusters reported Ready at %s in %.1f s "
      "(%.0f clusters/s)\n",
      ready, run.physical, kPeerVersion, seconds, static_cast<double>(ready) / seconds);
  PrintHops(run.home + "/logs", push_ms, WallMs(), *run.status, push, kPeerVersion);
  PrintCpu(run.up.pid, cpu, Clock::now() - push);
  std::fflush(stdout);
  if (ready < run.physical) {
    run.ok = false;
    std::printf("FAILED: the peer did not complete\n");
  }
  Settle(run, commit, Clock::now() + run.options.limit);
}

std::string RolloutYaml(const Options& o) {
  std::string waves =
      o.two_waves
          ? "    - name: first\n      percent: 10\n      maxConcurrent: " +
                std::to_string(o.max_concurrent) +
                "\n    - name: rest\n      maxConcurrent: " + std::to_string(o.max_concurrent) +
                "\n"
          : "    - name: all\n      maxConcurrent: " + std::to_string(o.max_concurrent) + "\n";
  return std::string(
             "apiVersion: strata.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: bench\n"
             "spec:\n  change:\n    kafkaVersion: \"") +
         kRolloutVersion + "\"\n  waves:\n" + waves + "  state: running\n";
}

// The most clusters each wave had in progress, over every version of the progress file from
// `to` back to `from` (first parents), and how many versions there were.
std::map<std::string, int64_t> MaxInProgressRecorded(const Repository& repo, const git_oid& from,
                                                     const git_oid& to, int* versions) {
  std::map<std::string, int64_t> most;
  git_oid at = to;
  git_oid last_blob{};
  while (!strata::IsZeroOid(at) && !git_oid_equal(&at, &from)) {
    auto info = repo.ReadCommit(at);
    if (!info.ok()) break;
    auto file = repo.FindPath(info->tree, kProgressPath);
    std::optional<strata::specs::Node> doc;
    if (file.ok() && !git_oid_equal(&file->oid, &last_blob)) {
      last_blob = file->oid;
      ++*versions;
      doc = ParseYaml(kProgressPath, *repo.ReadBlob(file->oid));
    }
    const strata::specs::Node* waves = doc.has_value() ? doc->AtPath("spec.waves") : nullptr;
    if (waves != nullptr) {
      for (const strata::specs::Node& w : waves->items()) {
        const strata::specs::Node* in_progress = w.Find("inProgress");
        int64_t n = in_progress != nullptr ? in_progress->as_int() : 0;
        int64_t& m = most[std::string(w.StringAt("name"))];
        m = std::max(m, n);
      }
    }
    if (info->parents.empty()) break;
    at = info->parents[0];
  }
  return most;
}

// From the targets at `commit`: each wave's most clusters released and not yet Done at any
// instant (releasedAt .. doneAt), and how many targets are Done.
std::map<std::string, int64_t> MaxInFlightFromTargets(const Repository& repo, const git_oid& commit,
                                                      size_t* targets, size_t* done) {
  std::map<std::string, std::vector<std::pair<int64_t, int>>> moments;  // wave → (ms, +1 | -1)
  auto files =
      repo.ListFilesUnder(*repo.TreeOfCommit(commit), std::string(strata::rollout::kTargetsDir));
  if (!files.ok()) return {};
  for (const auto& f : *files) {
    auto doc = ParseYaml(f.path, *repo.ReadBlob(f.oid));
    if (!doc.has_value()) continue;
    auto target = strata::rollout::TargetFromDoc(f.path, *doc);
    if (!target.has_value() || target->rollout != "bench") continue;
    ++*targets;
    auto& m = moments[target->wave];
    m.push_back({target->released_at_ms, +1});
    if (target->phase == strata::rollout::TargetPhase::kDone) {
      ++*done;
      m.push_back({target->done_at_ms, -1});
    }
  }
  std::map<std::string, int64_t> most;
  for (auto& [wave, m] : moments) {
    std::sort(m.begin(), m.end());  // at one instant, what turned Done first: it made the room
    int64_t now = 0;
    for (const auto& [ms, delta] : m) most[wave] = std::max(most[wave], now += delta);
  }
  return most;
}

// Every simulated Kafka cluster of every agent: how many, and how many run `version` on every
// broker, all ready.
std::pair<size_t, size_t> SimClustersAt(const std::string& agents_dir, const std::string& version) {
  size_t clusters = 0, at_version = 0;
  for (const auto& agent : std::filesystem::directory_iterator(agents_dir)) {
    std::filesystem::path dir = agent.path() / "sim" / "PhysicalKafkaCluster";
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(file.path());
      nlohmann::json state = nlohmann::json::parse(in, nullptr, false);
      ++clusters;
      bool all = state.is_object() && state.contains("brokers") && state["brokers"].is_array() &&
                 !state["brokers"].empty();
      if (all) {
        for (const auto& broker : state["brokers"]) {
          all &= broker.value("version", "") == version && broker.value("state", "") == "ready";
        }
      }
      at_version += all ? 1 : 0;
    }
  }
  return {clusters, at_version};
}

// 2. The rollout.
void Rollout(Run& run) {
  const Options& o = run.options;
  std::printf("\n== the rollout: kafkaVersion %s, %s, maxConcurrent %d, no soak ==\n",
              kRolloutVersion, o.two_waves ? "waves of 10% then the rest" : "one wave",
              o.max_concurrent);
  std::string yaml = RolloutYaml(o);
  std::map<std::string, double> cpu = CpuByPart(run.up.pid);
  int64_t push_ms = WallMs();
  auto push = Clock::now();
  git_oid pushed = PushToMain(
      *run.repo,
      [&](const git_oid&) {
        return std::vector<Repository::TreeUpdate>{{"rollouts/bench.yaml", yaml}};
      },
      "bench: roll the fleet out to Kafka " + std::string(kRolloutVersion));
  std::string phase;
  std::string waiting;
  git_oid head = pushed;
  Clock::time_point agents_done{};
  while (Clock::now() - push < o.limit) {
    run.status->Drain(200);
    if (agents_done == Clock::time_point{} &&
        ReadyAt(*run.status, kRolloutVersion, push) >= run.physical) {
      agents_done = Clock::now();
    }
    head = *run.repo->ResolveCommit("refs/heads/main");
    auto progress = ReadDoc(*run.repo, head, kProgressPath);
    if (!progress.has_value()) continue;
    phase = std::string(progress->AtPath("spec")->StringAt("phase"));
    waiting = std::string(progress->AtPath("spec")->StringAt("waitingFor"));
    if (phase != "Running") break;
  }
  double seconds = Seconds(Clock::now() - push);
  int64_t end_ms = WallMs();
  auto progress = ReadDoc(*run.repo, head, kProgressPath);
  int64_t covered = 0;
  const strata::specs::Node* waves =
      progress.has_value() ? progress->AtPath("spec.waves") : nullptr;
  for (size_t i = 0; waves != nullptr && i < waves->items().size(); ++i) {
    const strata::specs::Node* n = waves->items()[i].Find("clusters");
    if (n != nullptr) covered += n->as_int();
  }
  if (phase != "Complete") {
    run.ok = false;
    std::printf("FAILED: the rollout is %s (waiting for %s) after %.1f s; see %s/logs\n",
                phase.empty() ? "not started" : phase.c_str(), waiting.c_str(), seconds,
                run.home.c_str());
  }
  std::printf(
      "rollout         %lld physical clusters covered; push to phase Complete %.1f s "
      "(%.0f clusters/s); every agent reported Ready at %s after %.1f s\n",
      static_cast<long long>(covered), seconds, static_cast<double>(covered) / seconds,
      kRolloutVersion, agents_done == Clock::time_point{} ? -1.0 : Seconds(agents_done - push));
  PrintHops(run.home + "/logs", push_ms, end_ms, *run.status, push, kRolloutVersion);
  PrintCpu(run.up.pid, cpu, Clock::now() - push);

  // Never more than maxConcurrent in flight: as recorded, and as the targets' times say.
  int versions = 0;
  auto recorded = MaxInProgressRecorded(*run.repo, pushed, head, &versions);
  size_t targets = 0, done = 0;
  auto from_targets = MaxInFlightFromTargets(*run.repo, head, &targets, &done);
  std::printf(
      "in flight       most per wave (limit %d) in %d versions of the progress file | "
      "from the %zu targets' releasedAt/doneAt:",
      o.max_concurrent, versions, targets);
  for (const auto& [wave, n] : recorded) {
    bool exceeded = n > o.max_concurrent || from_targets[wave] > o.max_concurrent;
    std::printf("  %s %lld | %lld%s", wave.c_str(), static_cast<long long>(n),
                static_cast<long long>(from_targets[wave]), exceeded ? " EXCEEDED" : "");
    if (exceeded) run.ok = false;
  }
  std::printf("\n");
  if (done != static_cast<size_t>(covered) || targets != static_cast<size_t>(covered)) {
    run.ok = false;
    std::printf("FAILED: %zu targets, %zu Done, for %lld clusters\n", targets, done,
                static_cast<long long>(covered));
  }

  // The rollout controller's time per batch, over the whole rollout.
  Activity a = ReadActivity(run.home + "/logs/controller-rollout.log", "rollout", push_ms, end_ms);
  if (!a.batch_ms.empty()) {
    auto p = Summarise(a.batch_ms);
    std::printf("rollout batches %d commits; per batch median %.1f ms, p99 %.1f ms, max %.1f ms\n",
                a.commits, p.median, p.p99,
                *std::max_element(a.batch_ms.begin(), a.batch_ms.end()));
  }

  // The data plane: every broker of every simulated cluster runs the new version.
  auto [sims, upgraded] = SimClustersAt(run.home + "/agents", kRolloutVersion);
  std::printf("data plane      %zu of %zu simulated clusters run %s on every broker\n", upgraded,
              sims, kRolloutVersion);
  if (sims != run.physical || upgraded != sims) run.ok = false;
  std::fflush(stdout);
}

// Once up has stopped: what the busiest controllers did over the whole run, races lost included
// (a lost compare-and-swap on main makes a controller apply its batch again on the new head).
void PrintControllerTotals(const std::string& logs) {
  for (const char* name : {"rollout", "pkc", "sync"}) {
    std::ifstream in(logs + "/controller-" + name + ".log");
    const std::string mark = std::string(name) + ": stopping after ";
    for (std::string line; std::getline(in, line);) {
      size_t at = line.find(mark);
      if (at == std::string::npos) continue;
      size_t end = line.find(" [", at);
      std::printf("whole run       %s\n", line.substr(at, end - at).c_str());
    }
  }
}

void PrintMemory(pid_t up) {
  std::printf("peak memory     up %.0f MiB", strata::bench::PeakKiB(up) / 1024.0);
  long agents_max = 0;
  int agents = 0;
  for (const auto& part : strata::bench::UpParts(up)) {
    long kib = strata::bench::PeakKiB(part.pid);
    if (part.name.rfind("agent ", 0) == 0) {
      agents_max = std::max(agents_max, kib);
      ++agents;
      continue;
    }
    std::printf(", %s %.0f MiB", part.name.c_str(), kib / 1024.0);
  }
  std::printf(", agents (%d) at most %.0f MiB\n", agents, agents_max / 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      options.clusters = 300;
      options.max_concurrent = 30;
      options.limit = std::chrono::minutes(2);
    } else if (std::strcmp(argv[i], "--clusters") == 0 && i + 1 < argc) {
      options.clusters = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--max-concurrent") == 0 && i + 1 < argc) {
      options.max_concurrent = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--waves") == 0) {
      options.two_waves = true;
    } else if (std::strcmp(argv[i], "--no-peer") == 0) {
      options.peer = false;
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      options.keep = true;
    } else {
      Fail(std::string("unknown argument ") + argv[i]);
    }
  }
  Run run;
  run.options = options;
  run.root =
      std::filesystem::temp_directory_path() / ("strata-rollout-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(run.root);
  std::printf("rollout_bench: strata up --separate-processes, sim agents at zero delay; %u cores\n",
              std::thread::hardware_concurrency());

  std::string fleet = run.root + "/fleet.git";
  strata::examples::FleetShape shape;
  shape.clusters = options.clusters;
  shape.orgs = std::max(10, options.clusters / 100);
  shape.dedicated_percent = 100;
  if (auto s = strata::examples::WriteFleetToRepo(fleet, shape, "main", /*bare=*/true); !s.ok()) {
    Fail("cannot generate the fleet: " + s.status().ToString());
  }
  auto repo = Repository::Open(fleet);
  if (!repo.ok()) Fail(repo.status().ToString());
  run.repo = std::make_unique<Repository>(std::move(*repo));
  git_oid start = *run.repo->ResolveCommit("refs/heads/main");
  run.satellites = strata::bench::SatellitesOf(*run.repo, *run.repo->TreeOfCommit(start));

  auto cold_start = Clock::now();
  run.home = run.root + "/up";
  auto up = strata::bench::StartUp(kStrata, run.home, fleet, run.root + "/up.log");
  if (!up.ok()) Fail(up.status().message());
  run.up = *up;
  g_up = run.up.pid;
  auto status = StatusWatch::Follow(run.up.kafka);
  if (!status.ok()) Fail(status.status().message());
  run.status = std::move(*status);
  git_oid head = Settle(run, start, cold_start + options.limit);
  run.physical = FilesUnder(*run.repo, head, "derived/pkc");
  size_t ready = ReadyAt(*run.status, "3.7", cold_start);
  std::printf(
      "fleet           %d dedicated Kafka clusters → %zu physical clusters on %zu "
      "satellites; Ready after %.1f s (%zu reported Ready)\n",
      options.clusters, run.physical, run.satellites.size(), Seconds(Clock::now() - cold_start),
      ready);
  std::fflush(stdout);
  if (run.physical == 0) Fail("no physical clusters; see " + run.home + "/logs");

  if (options.peer) Peer(run);
  Rollout(run);
  PrintMemory(run.up.pid);

  run.status.reset();  // before its Kafka goes
  kill(run.up.pid, SIGTERM);
  waitpid(run.up.pid, nullptr, 0);
  PrintControllerTotals(run.home + "/logs");
  if (options.keep || !run.ok) {
    std::printf("repos and logs kept in %s\n", run.root.c_str());
  } else {
    std::filesystem::remove_all(run.root);
  }
  if (!run.ok) std::printf("rollout_bench: FAILED\n");
  return run.ok ? 0 : 1;
}
