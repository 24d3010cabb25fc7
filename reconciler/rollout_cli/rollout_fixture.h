// Test code only: a fleet repository holding one rollout as the rollout controller leaves it —
// rollouts/kafka-38.yaml, its RolloutProgress and RolloutTargets (plus a target of another
// rollout) — written directly as files and committed with the git command line.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "core/test_support.h"

namespace strata::rollout_cli::testing {

inline constexpr char kRolloutFile[] = "rollouts/kafka-38.yaml";
inline constexpr char kProgressFile[] = "derived/rollout/progress/kafka-38.yaml";

// Canonical (specs/canonical_writer.h): an edit changes only the lines it means to.
inline constexpr char kRollout[] = R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata:
  name: kafka-38
spec:
  change:
    kafkaVersion: "3.8"
    config:
      log.retention.ms: "604800000"
  waves:
    - name: internal
      maxConcurrent: 5
      soak: 10m
      maxFailures: 1
    - name: gcp
      selector:
        clouds:
          - gcp
      maxConcurrent: 12
      maxFailures: 5%
    - name: rest
      maxConcurrent: 25%
      requiresApproval: true
  state: running
)";

// internal is complete (3 done, 1 failed), gcp is at its maxConcurrent (2 done, 12 in progress,
// 2 pending), rest (5 clusters) has not started. Five clusters were done 5 minutes apart.
inline constexpr char kProgress[] = R"(apiVersion: strata.dev/v1alpha1
kind: RolloutProgress
metadata:
  name: kafka-38
  annotations:
    strata.dev/sources: rollouts/kafka-38.yaml
    strata.dev/computed-at: 0123456789abcdef0123456789abcdef01234567
spec:
  rollout: kafka-38
  phase: Running
  waitingFor: Concurrency
  reason: wave gcp has 12 clusters in progress, its maxConcurrent
  failures: 1
  acknowledgedFailures: 0
  unassigned: 0
  waves:
    - name: internal
      state: Complete
      clusters: 4
      pending: 0
      inProgress: 0
      done: 3
      failed: 1
      maxConcurrent: 5
      maxFailures: 1
      startedAt: "2026-12-02T15:50:00.000Z"
      completedAt: "2026-12-02T16:20:00.000Z"
    - name: gcp
      state: Active
      clusters: 16
      pending: 2
      inProgress: 12
      done: 2
      failed: 0
      maxConcurrent: 12
      maxFailures: 0
      startedAt: "2026-12-02T16:12:00.000Z"
    - name: rest
      state: Pending
      clusters: 5
      pending: 5
      inProgress: 0
      done: 0
      failed: 0
      maxConcurrent: 2
      maxFailures: 0
)";

inline std::string Target(const std::string& cluster, const std::string& rollout,
                          const std::string& wave, const std::string& phase,
                          const std::string& done_at = "", const std::string& reason = "") {
  std::string text =
      "apiVersion: strata.dev/v1alpha1\nkind: RolloutTarget\nmetadata:\n  name: " + cluster +
      "\n  annotations:\n    strata.dev/sources: rollouts/" + rollout +
      ".yaml\n    strata.dev/computed-at: 0123456789abcdef0123456789abcdef01234567"
      "\nspec:\n  cluster: " +
      cluster + "\n  rollout: " + rollout + "\n  wave: " + wave + "\n  release: " + rollout +
      "-1a2b3c4d\n  kafkaVersion: \"3.8\"\n  phase: " + phase +
      "\n  releasedAt: \"2026-12-02T15:50:00.000Z\"\n";
  if (!done_at.empty()) text += "  doneAt: \"" + done_at + "\"\n";
  if (!reason.empty()) text += "  reason: \"" + reason + "\"\n";
  return text;
}

inline std::string TargetPath(const std::string& cluster) {
  return "derived/rollout/targets/shared/" + cluster + ".yaml";
}

// The files of the fixture: the rollout, its progress, 18 targets and one of another rollout.
inline std::map<std::string, std::string> RolloutFiles() {
  std::map<std::string, std::string> files = {{kRolloutFile, kRollout}, {kProgressFile, kProgress}};
  const char* internal_done[] = {"2026-12-02T16:00:00.000Z", "2026-12-02T16:05:00.000Z",
                                 "2026-12-02T16:10:00.000Z"};
  for (int i = 0; i < 3; ++i) {
    std::string name = "pkc-internal-" + std::to_string(i);
    files[TargetPath(name)] = Target(name, "kafka-38", "internal", "Done", internal_done[i]);
  }
  files[TargetPath("pkc-internal-3")] = Target("pkc-internal-3", "kafka-38", "internal", "Failed",
                                               "", "broker 2 did not come back after the upgrade");
  files[TargetPath("pkc-gcp-a")] =
      Target("pkc-gcp-a", "kafka-38", "gcp", "Done", "2026-12-02T16:15:00.000Z");
  files[TargetPath("pkc-gcp-b")] =
      Target("pkc-gcp-b", "kafka-38", "gcp", "Done", "2026-12-02T16:20:00.500Z");
  for (int i = 0; i < 12; ++i) {
    std::string name = "pkc-gcp-" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    files[TargetPath(name)] = Target(name, "kafka-38", "gcp", "InProgress");
  }
  files[TargetPath("pkc-other")] = Target("pkc-other", "kafka-37", "all", "InProgress");
  return files;
}

inline void WriteFile(const std::string& root, const std::string& path,
                      const std::string& content) {
  std::filesystem::path full = std::filesystem::path(root) / path;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary) << content;
}

// `git -C dir ARGS`; throws when git fails. Output trimmed of its last newline.
inline std::string Git(const std::string& dir, const std::string& args) {
  strata::testing::Outcome out = strata::testing::Sh("git -C " + dir + " " + args);
  if (out.code != 0) throw std::runtime_error("git " + args + ": " + out.out);
  while (!out.out.empty() && out.out.back() == '\n') out.out.pop_back();
  return out.out;
}

// A repository with a work tree at `dir`, branch main checked out, `files` committed.
inline void MakeWorkRepo(const std::string& dir, const std::map<std::string, std::string>& files) {
  strata::testing::Sh("git init -q -b main " + dir);
  for (const auto& [path, content] : files) WriteFile(dir, path, content);
  Git(dir, "add -A");
  Git(dir, "-c user.name=Ada -c user.email=ada@example.com commit -qm fixture");
}

// A bare repository at `dir`/fleet.git holding `files` on main; returns its path.
inline std::string MakeBareRepo(const std::string& dir,
                                const std::map<std::string, std::string>& files) {
  MakeWorkRepo(dir + "/seed", files);
  strata::testing::Sh("git clone -q --bare " + dir + "/seed " + dir + "/fleet.git");
  return dir + "/fleet.git";
}

}  // namespace strata::rollout_cli::testing
