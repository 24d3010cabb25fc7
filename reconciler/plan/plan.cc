#include "reconciler/plan/plan.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/git.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controllers/in_process_cake.h"
#include "reconciler/controllers/registry.h"
#include "reconciler/plan/describe.h"
#include "reconciler/plan/scratch_repo.h"
#include "specs/kinds.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::plan {
namespace {

Result<git_oid> MergeBase(const Repository& repo, const git_oid& a, const git_oid& b) {
  git_oid out;
  int rc = git_merge_base(&out, repo.raw(), &a, &b);
  if (rc == GIT_ENOTFOUND && git_repository_is_shallow(repo.raw()) == 1) {
    return Status::FailedPrecondition("the clone is shallow and does not reach the merge base of " +
                                      OidToHex(a).substr(0, 12) + " and " +
                                      OidToHex(b).substr(0, 12) +
                                      ": fetch the whole history (git fetch --unshallow, "
                                      "or fetch-depth: 0 in CI)");
  }
  if (rc == GIT_ENOTFOUND) {
    return Status::FailedPrecondition(OidToHex(a).substr(0, 12) + " and " +
                                      OidToHex(b).substr(0, 12) + " share no history");
  }
  if (rc < 0) return GitError(rc, "finding the merge base");
  return out;
}

// The blob id at `path` of `tree`; zero when absent.
Result<git_oid> BlobAt(const Repository& repo, const git_oid& tree, const std::string& path) {
  Result<TreeFile> file = repo.FindPath(tree, path);
  if (file.ok()) return file->oid;
  if (file.status().code() == StatusCode::kNotFound) return git_oid{};
  return file.status();
}

std::vector<EventError> ToErrors(const specs::Diagnostics& diagnostics) {
  std::vector<EventError> out;
  for (const specs::Diagnostic& d : diagnostics) {
    out.push_back({d.file, d.line, d.column, d.field, d.message});
  }
  return out;
}

struct Owners {
  std::map<std::string, int> layers;            // controller → layer
  std::map<std::string, std::string> prefixes;  // controller → the prefix it owns
  std::string OwnerOf(const std::string& path) const {
    return controllers::OwnerOfPath(prefixes, path);
  }
};

Result<Owners> LoadOwners() {
  Owners owners;
  std::vector<controller::ControllerInfo> infos;
  for (const auto& c : controllers::MakeAllControllers()) infos.push_back(c->info());
  owners.prefixes = controllers::ControllerPrefixes();
  ASSIGN_OR_RETURN(controller::LayerCake cake, controller::ComputeLayers(infos));
  for (size_t i = 0; i < cake.layers.size(); ++i) {
    for (const auto& info : cake.layers[i]) owners.layers[info.name] = static_cast<int>(i) + 1;
  }
  return owners;
}

// The pull request's changes, applied on the base as a merge would apply them; people's files
// are validated on the way, and writes into controllers' areas refused.
struct Applied {
  std::vector<Repository::TreeUpdate> updates;
  std::vector<std::string> paths;
  std::vector<PlanProblem> problems;
};

Result<Applied> ApplyPullRequest(const Repository& repo, const git_oid& merge_base_tree,
                                 const git_oid& head_tree, const git_oid& base_tree,
                                 const Owners& owners) {
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  specs::SchemaValidator validator(schemas);
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, repo.DiffTrees(merge_base_tree, head_tree));
  Applied out;
  std::vector<std::string> conflicts;
  for (const ChangedFile& c : changed) {
    Result<specs::PathRule> rule = specs::ClassifyPath(c.path);
    if (rule.ok() &&
        (rule->area == specs::Area::kDerived || rule->area == specs::Area::kSatellite)) {
      std::string owner = owners.OwnerOf(c.path);
      out.problems.push_back(
          {c.path,
           "",
           "ownership",
           {{c.path, 0, 0, "",
             "people may not change " +
                 std::string(rule->area == specs::Area::kDerived ? "derived/" : "satellites/") +
                 (owner.empty() ? "" : " (owned by the " + owner + " controller)")}}});
      continue;
    }
    ASSIGN_OR_RETURN(git_oid at_base, BlobAt(repo, base_tree, c.path));
    if (!git_oid_equal(&at_base, &c.old_oid) && !git_oid_equal(&at_base, &c.new_oid)) {
      conflicts.push_back(c.path);
      continue;
    }
    out.paths.push_back(c.path);
    if (c.deleted()) {
      out.updates.push_back({c.path, std::nullopt});
      continue;
    }
    ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(c.new_oid));
    if (!rule.ok()) {
      out.problems.push_back(
          {c.path, "", "validation", {{c.path, 0, 0, "", rule.status().message()}}});
    } else if (rule->area != specs::Area::kNotSpec) {
      specs::Diagnostics diagnostics;
      std::optional<specs::Resource> resource =
          specs::LoadResource(c.path, bytes, &validator, &diagnostics);
      if (!resource.has_value() || !resource->valid) {
        out.problems.push_back({c.path, resource.has_value() ? resource->key : "", "validation",
                                ToErrors(diagnostics)});
      }
    }
    out.updates.push_back({c.path, std::move(bytes)});
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const std::string& path : conflicts) list += (list.empty() ? "" : ", ") + path;
    return Status::FailedPrecondition("the pull request and the base both changed " + list +
                                      " since their merge base: rebase the pull request first");
  }
  return out;
}

// Every file under derived/ and satellites/ of `tree`.
Status CollectSettled(const Repository& repo, const git_oid& tree,
                      std::map<std::string, std::string>* files) {
  for (const char* dir : {"derived", "satellites"}) {
    ASSIGN_OR_RETURN(std::vector<TreeFile> listed, repo.ListFilesUnder(tree, dir));
    for (const TreeFile& f : listed) {
      ASSIGN_OR_RETURN((*files)[f.path], repo.ReadBlob(f.oid));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<PlanResult> Plan(const PlanOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (options.base.empty()) return Status::InvalidArgument("--base is required");
  ASSIGN_OR_RETURN(Repository fleet, Repository::Open(options.repo));
  ASSIGN_OR_RETURN(git_oid base, fleet.ResolveCommit(options.base));
  ASSIGN_OR_RETURN(git_oid head, fleet.ResolveCommit(options.head));
  ASSIGN_OR_RETURN(git_oid merge_base, MergeBase(fleet, base, head));
  ASSIGN_OR_RETURN(git_oid base_tree, fleet.TreeOfCommit(base));
  ASSIGN_OR_RETURN(git_oid head_tree, fleet.TreeOfCommit(head));
  ASSIGN_OR_RETURN(git_oid merge_base_tree, fleet.TreeOfCommit(merge_base));
  ASSIGN_OR_RETURN(Owners owners, LoadOwners());

  PlanResult result;
  result.base = OidToHex(base);
  result.head = OidToHex(head);
  result.merge_base = OidToHex(merge_base);
  result.layers = owners.layers;
  ASSIGN_OR_RETURN(Applied applied,
                   ApplyPullRequest(fleet, merge_base_tree, head_tree, base_tree, owners));
  result.changed_inputs = applied.paths;
  result.problems = std::move(applied.problems);

  // The merge, committed in a scratch repository; the controllers run there, seeing what the
  // base already has as already reconciled.
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchRepo> scratch, ScratchRepo::Create(fleet));
  Repository& repo = scratch->repo();
  ASSIGN_OR_RETURN(git_oid start_tree, repo.UpdateTree(base_tree, applied.updates));
  RETURN_IF_ERROR(repo.Commit("refs/heads/main", start_tree, {base, head},
                              "strata plan: " + result.head.substr(0, 12) + " onto " +
                                  result.base.substr(0, 12),
                              "strata plan", "plan@strata.local")
                      .status());
  ASSIGN_OR_RETURN(auto cake, controllers::InProcessCake::Create(scratch->path()));
  cake->StartFrom(base_tree);
  RETURN_IF_ERROR(cake->Settle().status());
  std::set<std::string> refused;  // by validation already: the controllers say the same again
  for (const PlanProblem& p : result.problems) refused.insert(p.path);
  for (const auto& [path, rejection] : cake->rejections()) {
    if (refused.count(path) != 0) continue;
    result.problems.push_back(
        {path, rejection.outcome.key, rejection.controller, rejection.outcome.errors});
  }
  std::sort(result.problems.begin(), result.problems.end(),
            [](const PlanProblem& a, const PlanProblem& b) { return a.path < b.path; });

  ASSIGN_OR_RETURN(git_oid settled, repo.ResolveCommit("refs/heads/main"));
  ASSIGN_OR_RETURN(git_oid settled_tree, repo.TreeOfCommit(settled));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> downstream, repo.DiffTrees(start_tree, settled_tree));
  std::map<std::string, SatellitePlan> satellites;
  for (const ChangedFile& c : downstream) {
    std::string owner = owners.OwnerOf(c.path);
    if (owner.empty()) continue;  // only controllers commit here, and only under their prefix
    std::optional<std::string> before, after;
    if (!c.added()) {
      ASSIGN_OR_RETURN(before, repo.ReadBlob(c.old_oid));
    }
    if (!c.deleted()) {
      ASSIGN_OR_RETURN(after, repo.ReadBlob(c.new_oid));
    }
    PlannedChange change = Describe(c.path, before, after);
    change.controller = owner;
    change.layer = owners.layers[owner];
    if (Result<specs::PathRule> rule = specs::ClassifyPath(c.path);
        rule.ok() && rule->area == specs::Area::kSatellite) {
      constexpr size_t kSatellites = std::string_view("satellites/").size();
      std::string id = c.path.substr(kSatellites, c.path.find('/', kSatellites) - kSatellites);
      SatellitePlan& sat = satellites[id];
      sat.satellite = id;
      ++(change.action == PlannedChange::Action::kCreate   ? sat.created
         : change.action == PlannedChange::Action::kDelete ? sat.deleted
                                                           : sat.updated);
    }
    result.changes.push_back(std::move(change));
  }
  std::stable_sort(result.changes.begin(), result.changes.end(),
                   [](const PlannedChange& a, const PlannedChange& b) {
                     return std::tie(a.layer, a.controller, a.path) <
                            std::tie(b.layer, b.controller, b.path);
                   });
  for (auto& [id, sat] : satellites) result.satellites.push_back(sat);
  if (options.collect_settled_files) {
    RETURN_IF_ERROR(CollectSettled(repo, settled_tree, &result.settled_files));
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

int PlanExitCode(const PlanResult& result) {
  if (!result.problems.empty()) return 1;
  return result.changes.empty() ? 0 : 3;
}

}  // namespace strata::plan
