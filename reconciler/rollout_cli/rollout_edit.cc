#include "reconciler/rollout_cli/rollout_edit.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "reconciler/audit/work_tree.h"
#include "reconciler/rollout_cli/rollout_snapshot.h"
#include "specs/canonical_writer.h"
#include "specs/kinds.h"
#include "specs/resource.h"
#include "specs/yaml_loader.h"

namespace strata::rollout_cli {
namespace {

constexpr int kAttempts = 5;

specs::Node* MutableChild(specs::Node& map, std::string_view key) {
  for (auto& entry : map.entries()) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Applies the request to `spec`. Returns the reason when there is nothing to change.
Result<std::string> Apply(const EditRequest& request, std::optional<int64_t> failures,
                          specs::Node& spec, std::string* body) {
  const std::string& name = request.name;
  std::string state(spec.StringAt("state"));
  bool aborted = state == "aborted";
  switch (request.action) {
    case RolloutAction::kApprove: {
      std::vector<std::string> waves;
      if (const specs::Node* list = spec.Find("waves")) {
        for (const specs::Node& wave : list->items()) waves.emplace_back(wave.StringAt("name"));
      }
      if (std::find(waves.begin(), waves.end(), request.wave) == waves.end()) {
        return Status::InvalidArgument("rollout " + name + " has no wave '" + request.wave +
                                       "'; its waves: " + Join(waves));
      }
      if (aborted) {
        return Status::FailedPrecondition("rollout " + name +
                                          " is aborted: there is nothing to approve any more");
      }
      specs::Node* approved = MutableChild(spec, "approvedWaves");
      if (approved == nullptr || !approved->is_sequence()) {
        spec.Set("approvedWaves", specs::Node::Sequence());
        approved = MutableChild(spec, "approvedWaves");
      }
      for (const specs::Node& item : approved->items()) {
        if (item.text() == request.wave) {
          return "wave " + request.wave + " of rollout " + name + " is already approved";
        }
      }
      approved->items().push_back(specs::Node::String(request.wave));
      return std::string();
    }
    case RolloutAction::kPause:
      if (aborted) {
        return Status::FailedPrecondition("rollout " + name +
                                          " is aborted: an aborted rollout cannot be paused");
      }
      if (state == "paused") return "rollout " + name + " is already paused";
      spec.Set("state", specs::Node::String("paused"));
      return std::string();
    case RolloutAction::kResume: {
      if (aborted) {
        return Status::FailedPrecondition(
            "rollout " + name +
            " is aborted and cannot be resumed: an abort is for good (write a new rollout to "
            "make the change again)");
      }
      const specs::Node* acknowledged = spec.Find("acknowledgedFailures");
      bool acknowledge =
          failures.has_value() &&
          (acknowledged != nullptr ? acknowledged->as_int() != *failures : *failures > 0);
      if (state == "running" && !acknowledge) {
        return "rollout " + name + " is running, with no new failures to acknowledge";
      }
      spec.Set("state", specs::Node::String("running"));
      if (acknowledge) {
        spec.Set("acknowledgedFailures", specs::Node::Int(*failures));
        *body = "Acknowledges the failed clusters so far: acknowledgedFailures " +
                std::to_string(*failures) +
                ", and the failure budget counts only failures "
                "beyond them.\n";
      }
      return std::string();
    }
    case RolloutAction::kAbort:
      if (aborted) return "rollout " + name + " is already aborted";
      spec.Set("state", specs::Node::String("aborted"));
      return std::string();
  }
  return Status::Internal("unknown rollout action");
}

Result<EditPlan> PlanOn(const Repository& repo, const git_oid& head, const EditRequest& request,
                        const std::shared_ptr<const specs::SchemaSet>& schemas) {
  EditPlan plan;
  plan.path = RolloutPath(request.name);
  plan.head = head;
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
  Result<TreeFile> file = repo.FindPath(tree, plan.path);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no rollout " + request.name + " on " + request.branch + " (" +
                            plan.path + " is absent)");
  }
  if (!file.ok()) return file.status();
  ASSIGN_OR_RETURN(plan.before, repo.ReadBlob(file->oid));
  specs::Diagnostics diagnostics;
  std::optional<specs::YamlDocument> document =
      specs::LoadYaml(plan.path, plan.before, &diagnostics);
  specs::Node* spec = document ? MutableChild(document->root, "spec") : nullptr;
  if (spec == nullptr || !spec->is_map()) {
    return Status::FailedPrecondition(diagnostics.empty() ? plan.path + " has no spec to edit"
                                                          : diagnostics.front().ToString());
  }
  std::optional<int64_t> failures;
  if (request.action == RolloutAction::kResume) {
    ASSIGN_OR_RETURN(std::optional<RolloutProgress> progress,
                     ReadProgress(repo, tree, request.name));
    if (progress) failures = progress->failures;
  }
  std::string body;
  ASSIGN_OR_RETURN(plan.nothing_to_do, Apply(request, failures, *spec, &body));
  if (!plan.nothing_to_do.empty()) {
    plan.after = plan.before;
    return plan;
  }
  plan.after = specs::WriteCanonical(*document, *schemas);
  specs::SchemaValidator validator(schemas);
  diagnostics.clear();
  auto resource = specs::LoadResource(plan.path, plan.after, &validator, &diagnostics);
  if (!resource || !resource->valid) {
    specs::SortAndDedupe(&diagnostics);
    return Status::FailedPrecondition(
        plan.path + " would not be valid after the edit, refusing to write it: " +
        (diagnostics.empty() ? std::string("invalid") : diagnostics.front().ToString()));
  }
  plan.message = "rollout " + request.name + ": " + std::string(RolloutActionName(request.action)) +
                 (request.action == RolloutAction::kApprove ? " wave " + request.wave : "") + "\n" +
                 (body.empty() ? "" : "\n" + body);
  return plan;
}

}  // namespace

std::string_view RolloutActionName(RolloutAction action) {
  switch (action) {
    case RolloutAction::kApprove:
      return "approve";
    case RolloutAction::kPause:
      return "pause";
    case RolloutAction::kResume:
      return "resume";
    case RolloutAction::kAbort:
      return "abort";
  }
  return "";
}

Result<EditPlan> PlanEdit(const Repository& repo, const EditRequest& request) {
  if (!specs::IsDnsLabel(request.name)) {
    return Status::InvalidArgument("'" + request.name + "' is not a rollout name");
  }
  ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/" + request.branch));
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  return PlanOn(repo, head, request, schemas);
}

Result<EditOutcome> CommitEdit(const Repository& repo, const EditRequest& request,
                               const audit::Author& author) {
  if (!specs::IsDnsLabel(request.name)) {
    return Status::InvalidArgument("'" + request.name + "' is not a rollout name");
  }
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  std::string ref = "refs/heads/" + request.branch;
  std::string path = RolloutPath(request.name);
  ASSIGN_OR_RETURN(std::string work_tree, audit::CheckedOutWorkTree(repo, request.branch));
  if (!work_tree.empty()) {
    RETURN_IF_ERROR(audit::RefuseLocalChanges(repo, path, "changing the rollout"));
  }
  for (int attempt = 1;; ++attempt) {
    EditOutcome outcome;
    ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit(ref));
    ASSIGN_OR_RETURN(outcome.plan, PlanOn(repo, head, request, schemas));
    if (!outcome.plan.nothing_to_do.empty()) return outcome;
    ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
    ASSIGN_OR_RETURN(git_oid new_tree, repo.UpdateTree(tree, {{path, outcome.plan.after}}));
    ASSIGN_OR_RETURN(outcome.commit, repo.Commit("", new_tree, {head}, outcome.plan.message,
                                                 author.name, author.email));
    Status swapped = repo.CompareAndSwapRef(
        ref, head, outcome.commit,
        "strata rollout " + std::string(RolloutActionName(request.action)) + " " + request.name);
    if (swapped.ok()) {
      // The commit is on the branch whatever happens next: a work tree left behind is said, not
      // reported as a failed edit.
      if (!work_tree.empty()) {
        Status written = audit::WriteWorkTreeAndIndex(repo, work_tree, path, outcome.plan.after);
        if (!written.ok()) {
          spdlog::warn(
              "committed as {}, but the work tree was not updated ({}): run git checkout "
              "-- {}",
              OidToHex(outcome.commit).substr(0, 12), written.message(), path);
        }
      }
      return outcome;
    }
    if (swapped.code() != StatusCode::kAborted || attempt == kAttempts) return swapped;
  }
}

}  // namespace strata::rollout_cli
