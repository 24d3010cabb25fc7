#include "reconciler/rollout_cli/rollout_snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "specs/kinds.h"
#include "specs/yaml_loader.h"

namespace strata::rollout_cli {
namespace {

std::string Text(const specs::Node& map, std::string_view key) {
  return std::string(map.StringAt(key));
}

int64_t Int(const specs::Node& map, std::string_view key) {
  const specs::Node* value = map.Find(key);
  return value == nullptr ? 0 : value->as_int();
}

// The file at `path` of `tree` as a YAML tree; nullopt when absent.
Result<std::optional<specs::Node>> LoadFile(const Repository& repo, const git_oid& tree,
                                            const std::string& path) {
  Result<TreeFile> file = repo.FindPath(tree, path);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    return std::optional<specs::Node>();
  }
  if (!file.ok()) return file.status();
  ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(file->oid));
  specs::Diagnostics diagnostics;
  std::optional<specs::YamlDocument> document = specs::LoadYaml(path, bytes, &diagnostics);
  if (!document) {
    return Status::FailedPrecondition(diagnostics.empty() ? path + " is not readable YAML"
                                                          : diagnostics.front().ToString());
  }
  return std::optional<specs::Node>(std::move(document->root));
}

RolloutSpec ParseRollout(const std::string& name, const specs::Node& root) {
  RolloutSpec rollout;
  rollout.name = name;
  rollout.path = RolloutPath(name);
  const specs::Node* spec = root.Find("spec");
  if (spec == nullptr) return rollout;
  if (const specs::Node* change = spec->Find("change")) {
    rollout.kafka_version = Text(*change, "kafkaVersion");
    if (const specs::Node* config = change->Find("config"); config && config->is_map()) {
      for (const auto& entry : config->entries()) {
        rollout.config.emplace_back(entry.key, entry.value.text());
      }
    }
  }
  rollout.state = Text(*spec, "state");
  if (const specs::Node* approved = spec->Find("approvedWaves"); approved) {
    for (const specs::Node& wave : approved->items()) rollout.approved_waves.push_back(wave.text());
  }
  rollout.acknowledged_failures = Int(*spec, "acknowledgedFailures");
  if (const specs::Node* waves = spec->Find("waves"); waves) {
    for (const specs::Node& item : waves->items()) {
      WaveSpec wave;
      wave.name = Text(item, "name");
      wave.max_concurrent = Text(item, "maxConcurrent");
      wave.max_failures = Text(item, "maxFailures");
      wave.soak = Text(item, "soak");
      const specs::Node* approval = item.Find("requiresApproval");
      wave.requires_approval = approval != nullptr && approval->as_bool();
      rollout.waves.push_back(std::move(wave));
    }
  }
  return rollout;
}

RolloutProgress ParseProgress(const specs::Node& root) {
  RolloutProgress progress;
  const specs::Node* spec = root.Find("spec");
  if (spec == nullptr) return progress;
  progress.phase = Text(*spec, "phase");
  progress.waiting_for = Text(*spec, "waitingFor");
  progress.reason = Text(*spec, "reason");
  progress.soak_until = Text(*spec, "soakUntil");
  progress.failures = Int(*spec, "failures");
  progress.acknowledged_failures = Int(*spec, "acknowledgedFailures");
  progress.unassigned = Int(*spec, "unassigned");
  if (const specs::Node* waves = spec->Find("waves"); waves) {
    for (const specs::Node& item : waves->items()) {
      WaveProgress wave;
      wave.name = Text(item, "name");
      wave.state = Text(item, "state");
      wave.clusters = Int(item, "clusters");
      wave.pending = Int(item, "pending");
      wave.in_progress = Int(item, "inProgress");
      wave.done = Int(item, "done");
      wave.failed = Int(item, "failed");
      wave.max_concurrent = Int(item, "maxConcurrent");
      wave.max_failures = Int(item, "maxFailures");
      wave.started_at = Text(item, "startedAt");
      wave.completed_at = Text(item, "completedAt");
      progress.waves.push_back(std::move(wave));
    }
  }
  return progress;
}

// The targets of rollout `name`. The text test comes first: most target files belong to other
// rollouts, and finding the name in the bytes is much cheaper than parsing them.
Result<std::vector<RolloutTarget>> ReadTargets(const Repository& repo, const git_oid& tree,
                                               const std::string& name) {
  std::vector<RolloutTarget> targets;
  ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo.ListFilesUnder(tree, std::string(kTargetsDir)));
  for (const TreeFile& file : files) {
    ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(file.oid));
    if (bytes.find(name) == std::string::npos) continue;
    specs::Diagnostics diagnostics;
    std::optional<specs::YamlDocument> document = specs::LoadYaml(file.path, bytes, &diagnostics);
    if (!document) {
      spdlog::warn("skipping {}: {}", file.path,
                   diagnostics.empty() ? "unreadable" : diagnostics.front().ToString());
      continue;
    }
    const specs::Node* spec = document->root.Find("spec");
    if (spec == nullptr || spec->StringAt("rollout") != name) continue;
    RolloutTarget target;
    target.cluster = Text(*spec, "cluster");
    target.path = file.path;
    target.wave = Text(*spec, "wave");
    target.release = Text(*spec, "release");
    target.phase = Text(*spec, "phase");
    target.released_at = Text(*spec, "releasedAt");
    target.done_at = Text(*spec, "doneAt");
    target.reason = Text(*spec, "reason");
    targets.push_back(std::move(target));
  }
  std::sort(targets.begin(), targets.end(),
            [](const RolloutTarget& a, const RolloutTarget& b) { return a.cluster < b.cluster; });
  return targets;
}

}  // namespace

Result<std::optional<RolloutProgress>> ReadProgress(const Repository& repo, const git_oid& tree,
                                                    const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<specs::Node> root, LoadFile(repo, tree, ProgressPath(name)));
  if (!root) return std::optional<RolloutProgress>();
  return std::optional<RolloutProgress>(ParseProgress(*root));
}

Result<RolloutSnapshot> ReadRollout(const Repository& repo, const git_oid& commit,
                                    const std::string& name) {
  if (!specs::IsDnsLabel(name)) {
    return Status::InvalidArgument("'" + name +
                                   "' is not a rollout name (lower-case letters, digits and '-')");
  }
  RolloutSnapshot snapshot;
  snapshot.commit = commit;
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(commit));
  ASSIGN_OR_RETURN(std::optional<specs::Node> root, LoadFile(repo, tree, RolloutPath(name)));
  if (!root) {
    return Status::NotFound("no rollout " + name + " (" + RolloutPath(name) + " is absent)");
  }
  snapshot.rollout = ParseRollout(name, *root);
  ASSIGN_OR_RETURN(snapshot.progress, ReadProgress(repo, tree, name));
  ASSIGN_OR_RETURN(snapshot.targets, ReadTargets(repo, tree, name));
  return snapshot;
}

}  // namespace strata::rollout_cli
