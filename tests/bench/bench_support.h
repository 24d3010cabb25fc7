// What the benchmarks share: child processes with their peak memory, percentiles, and for the
// benchmarks of a running control plane (layer_cake_bench, rollout_bench): `strata up` started as
// a process, strata.status followed from its end, main followed until the layer cake is quiet,
// and every satellite's slice applied. Header-only; the helpers that read Kafka need the target
// to link strata_controllers and tests/support/controller_lag.cc. Not thread-safe.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/git.h"
#include "core/kafka.h"
#include "core/resource_status.h"
#include "reconciler/reconcile/checkpoint.h"
#include "tests/support/controller_lag.h"

extern char** environ;

namespace strata::bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct ChildResult {
  int code = -1;
  double seconds = 0;
  long peak_kb = 0;
};

// Starts argv with its standard output and error going to `log`; -1 when it cannot.
inline pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// The peak resident memory of a running process (VmHWM), in KiB; 0 when it cannot be read.
// (Not ru_maxrss: Linux carries that across exec, so a child would report its parent's peak.)
inline long PeakKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// Runs argv to completion, output to `log` ("/dev/null" for none), sampling its peak memory.
inline ChildResult RunProcess(const std::vector<std::string>& argv, const std::string& log) {
  ChildResult result;
  auto start = Clock::now();
  pid_t pid = StartProcess(argv, log);
  if (pid < 0) return result;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    result.peak_kb = std::max(result.peak_kb, PeakKiB(pid));
    usleep(2000);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The processor time a running process has used so far (user and system), in seconds; 0 when
// it cannot be read.
inline double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = stat.rfind(')');  // the command name may hold spaces
  if (at == std::string::npos) return 0;
  std::istringstream fields(stat.substr(at + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Percentiles {
  double median = 0;
  double p99 = 0;
};
inline Percentiles Summarise(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
  return {at(0.5), at(0.99)};
}

// "controller pkc", "agent aws-us-west-2-1", "reconcile": a strata process named by its arguments.
inline std::string PartName(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "reconcile") return "reconcile";
    if ((args[i] == "controller" || args[i] == "--satellite") && i + 1 < args.size()) {
      return (args[i] == "controller" ? "controller " : "agent ") + args[i + 1];
    }
  }
  return "pid " + std::to_string(pid);
}

struct Part {
  std::string name;
  pid_t pid = -1;
};

// The parts `strata up --separate-processes` (process `up`) runs: its children, named.
inline std::vector<Part> UpParts(pid_t up) {
  std::string task = "/proc/" + std::to_string(up) + "/task/" + std::to_string(up);
  std::ifstream children(task + "/children");
  std::vector<Part> parts;
  for (pid_t child; children >> child;) parts.push_back({PartName(child), child});
  return parts;
}

struct UpProcess {
  pid_t pid = -1;
  std::string kafka;  // the bootstrap servers of its embedded Kafka
};

// Starts `strata up --separate-processes --sim-time-scale 0` on the bare repository `fleet` with
// its home at `home` (emptied first), output to `log`, and waits up to a minute for its Kafka.
// kUnavailable naming the log when it does not come up.
inline strata::Result<UpProcess> StartUp(const std::string& strata, const std::string& home,
                                         const std::string& fleet, const std::string& log) {
  std::filesystem::remove_all(home);
  UpProcess up;
  up.pid = StartProcess({strata, "--log-level", "info", "up", "--home", home, "--fleet", fleet,
                         "--separate-processes", "--port", "0", "--sim-time-scale", "0"},
                        log);
  if (up.pid < 0) return strata::Status::Unavailable("cannot start " + strata);
  auto start = Clock::now();
  while (up.kafka.empty() && Clock::now() - start < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(home + "/kafka");
    std::getline(in, up.kafka);
  }
  if (up.kafka.empty()) return strata::Status::Unavailable("strata up did not start; see " + log);
  return up;
}

// Follows strata.status from its end: the newest report of each key, and when it arrived.
class StatusWatch {
 public:
  struct Seen {
    strata::ResourceStatus status;
    Clock::time_point at;
  };
  // kUnavailable when strata.status has no metadata within 5 s.
  static strata::Result<std::unique_ptr<StatusWatch>> Follow(const std::string& kafka) {
    auto conf = strata::MakeKafkaConf({{"bootstrap.servers", kafka},
                                       {"group.id", "strata-bench-status"},
                                       {"enable.auto.commit", "false"},
                                       {"fetch.wait.max.ms", "5"}});
    if (!conf.ok()) return conf.status();
    std::unique_ptr<StatusWatch> watch(new StatusWatch);
    char err[256];
    watch->handle_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err, sizeof err));
    if (watch->handle_ == nullptr) return strata::Status::Unavailable(err);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_topic_t* topic = rd_kafka_topic_new(watch->handle_.get(), "strata.status", nullptr);
    bool found = rd_kafka_metadata(watch->handle_.get(), 0, topic, &metadata, 5000) == 0;
    rd_kafka_topic_destroy(topic);
    if (!found) return strata::Status::Unavailable("no metadata for strata.status");
    auto* list = rd_kafka_topic_partition_list_new(64);
    for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(list, "strata.status", p)->offset = RD_KAFKA_OFFSET_END;
    }
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_assign(watch->handle_.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    return watch;
  }
  // Reads what has arrived, waiting at most `wait_ms` for the first record.
  void Drain(int wait_ms) {
    while (rd_kafka_message_t* m = rd_kafka_consumer_poll(handle_.get(), wait_ms)) {
      wait_ms = 0;
      if (m->err == 0) {
        auto s = strata::DecodeResourceStatus(
            std::string_view(static_cast<const char*>(m->payload), m->len));
        if (s.ok()) latest_[s->key] = {*s, Clock::now()};
      }
      rd_kafka_message_destroy(m);
    }
  }
  const strata::ResourceStatus* Latest(const std::string& key) const {
    auto it = latest_.find(key);
    return it == latest_.end() ? nullptr : &it->second.status;
  }
  // Every key seen, by key.
  const std::map<std::string, Seen>& all() const { return latest_; }

 private:
  StatusWatch() = default;
  strata::KafkaPtr handle_;
  std::map<std::string, Seen> latest_;
};

// Counts the commits after `from` up to `to` (first parents) by author name.
inline void CountCommits(const strata::Repository& repo, const git_oid& from, const git_oid& to,
                         std::map<std::string, int>* by_author) {
  git_oid at = to;
  while (!strata::IsZeroOid(at) && !git_oid_equal(&at, &from)) {
    auto info = repo.ReadCommit(at);
    if (!info.ok()) return;
    ++(*by_author)[info->author_name];
    if (info->parents.empty()) return;
    at = info->parents[0];
  }
}

// The satellites a fleet tree declares (policy/satellites/<id>.yaml).
inline std::vector<std::string> SatellitesOf(const strata::Repository& repo, const git_oid& tree) {
  std::vector<std::string> satellites;
  auto files = repo.ListFilesUnder(tree, "policy/satellites");
  if (!files.ok()) return satellites;
  for (const auto& f : *files) {
    std::string file = f.path.substr(f.path.rfind('/') + 1);
    satellites.push_back(file.substr(0, file.size() - 5));
  }
  return satellites;
}

// How main settled after a change.
struct Settled {
  git_oid head{};                   // main when it settled (or at the deadline)
  Clock::time_point last_sync{};    // the sync controller's last commit; {} when none came
  std::map<std::string, int> commits;  // after `from`, by author
};

// Follows main from `from` until the layer cake is quiet — nothing moved for 2 s since a sync
// commit, the reconciler has published the head, every controller's consumer group has caught
// up — or `deadline` passes; drains `status` meanwhile.
inline Settled WaitUntilSettled(const strata::Repository& repo, const std::string& kafka,
                                const git_oid& from, Clock::time_point deadline,
                                StatusWatch* status) {
  strata::testing::ControllerLag lag(kafka);
  Settled settled;
  settled.head = from;
  Clock::time_point last_check{};
  Clock::time_point last_change = Clock::now();
  while (Clock::now() < deadline) {
    status->Drain(20);
    git_oid head = *repo.ResolveCommit("refs/heads/main");
    if (!git_oid_equal(&head, &settled.head)) {
      std::map<std::string, int> fresh;
      CountCommits(repo, settled.head, head, &fresh);
      for (const auto& [who, n] : fresh) settled.commits[who] += n;
      if (fresh.count("strata sync") != 0) settled.last_sync = Clock::now();
      settled.head = head;
      last_change = Clock::now();
    }
    if (settled.last_sync != Clock::time_point{} &&
        Clock::now() - last_change > std::chrono::seconds(2) &&
        Clock::now() - last_check > std::chrono::seconds(1)) {
      last_check = Clock::now();
      auto checkpoint = strata::reconcile::ReadCheckpoint(repo, "main");
      bool published = checkpoint.ok() && checkpoint->exists &&
                       git_oid_equal(&checkpoint->commit, &settled.head);
      if (published && lag.CaughtUp() &&
          git_oid_equal(&settled.head, &*repo.ResolveCommit("refs/heads/main"))) {
        break;
      }
    }
  }
  return settled;
}

// Waits until every satellite's agent reports its whole slice applied (its Satellite status is
// Ready at the commit its ref points to) or `deadline` passes; returns how many have.
inline size_t WaitForSlicesApplied(const strata::Repository& repo,
                                   const std::vector<std::string>& satellites,
                                   Clock::time_point deadline, StatusWatch* status) {
  size_t applied = 0;
  while (Clock::now() < deadline) {
    status->Drain(20);
    applied = 0;
    for (const std::string& sat : satellites) {
      auto ref = repo.ReadRef("refs/heads/satellites/" + sat);
      const strata::ResourceStatus* s = status->Latest("Satellite/" + sat);
      if (!ref.ok() ||
          (s != nullptr && s->phase == "Ready" && s->slice_commit == strata::OidToHex(*ref))) {
        ++applied;
      }
    }
    if (applied == satellites.size()) break;
  }
  return applied;
}

}  // namespace strata::bench
