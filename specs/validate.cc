#include "specs/validate.h"

#include <algorithm>
#include <set>
#include <thread>

#include "core/git.h"
#include "specs/fleet.h"
#include "specs/kinds.h"

namespace strata::specs {
namespace {

int Threads(const ValidateOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Result<std::shared_ptr<const SchemaSet>> Schemas() {
  static Result<std::shared_ptr<const SchemaSet>> schemas = SchemaSet::LoadEmbedded();
  return schemas;
}

Result<ValidationReport> LoadAndCheck(const std::string& repo_path,
                                      const std::vector<SpecInput>& inputs,
                                      const ValidateOptions& options) {
  ASSIGN_OR_RETURN(auto schemas, Schemas());
  ValidationReport report;
  ASSIGN_OR_RETURN(Fleet fleet,
                   LoadFleet(repo_path, inputs, schemas, Threads(options), &report.diagnostics));
  CheckFleet(fleet, &report.diagnostics);
  report.files_checked = fleet.files_checked;
  return report;
}

std::string OrgOfTenantPath(const std::string& path) {
  Result<PathRule> rule = ClassifyPath(path);
  return rule.ok() && rule->area == Area::kTenant ? rule->org : "";
}

}  // namespace

Result<ValidationReport> ValidateDisk(const std::string& root, const std::vector<std::string>& paths,
                                      const ValidateOptions& options) {
  ASSIGN_OR_RETURN(std::vector<SpecInput> all, InputsOnDisk(root, {root}));
  ASSIGN_OR_RETURN(std::vector<SpecInput> wanted, InputsOnDisk(root, paths));
  for (const auto& w : wanted) {
    if (w.path.rfind("..", 0) == 0) {
      return Status::InvalidArgument(w.disk_path + " is outside the fleet root " + root);
    }
  }
  ASSIGN_OR_RETURN(ValidationReport report, LoadAndCheck("", all, options));
  std::set<std::string> keep;
  for (const auto& w : wanted) keep.insert(w.path);
  auto& d = report.diagnostics;
  d.erase(std::remove_if(d.begin(), d.end(), [&](const Diagnostic& x) { return !keep.count(x.file); }),
          d.end());
  size_t checked = 0;
  for (const auto& w : wanted) {
    Result<PathRule> rule = ClassifyPath(w.path);
    if (!rule.ok() || rule->area != Area::kNotSpec) ++checked;
  }
  report.files_checked = checked;
  SortAndDedupe(&d);
  return report;
}

Result<ValidationReport> ValidateRevision(const std::string& repo_path, const std::string& revision,
                                          const ValidateOptions& options) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  ASSIGN_OR_RETURN(std::vector<SpecInput> inputs, InputsAtRevision(repo, revision));
  ASSIGN_OR_RETURN(ValidationReport report, LoadAndCheck(repo_path, inputs, options));
  SortAndDedupe(&report.diagnostics);
  return report;
}

Result<ValidationReport> ValidateChange(const std::string& repo_path, const std::string& base,
                                        const std::string& head, const ValidateOptions& options) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  ASSIGN_OR_RETURN(git_oid base_commit, repo.ResolveCommit(base));
  ASSIGN_OR_RETURN(git_oid head_commit, repo.ResolveCommit(head));
  ASSIGN_OR_RETURN(git_oid base_tree, repo.TreeOfCommit(base_commit));
  ASSIGN_OR_RETURN(git_oid head_tree, repo.TreeOfCommit(head_commit));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changes, repo.DiffTrees(base_tree, head_tree));

  ValidationReport report;
  std::set<std::string> changed;
  std::set<std::string> orgs;
  bool whole_fleet = false;
  for (const auto& c : changes) {
    Result<PathRule> rule = ClassifyPath(c.path);
    if (rule.ok() && (rule->area == Area::kDerived || rule->area == Area::kSatellite)) {
      std::string owner = rule->area == Area::kDerived ? "the " + rule->owner + " controller"
                                                       : "the sync controller";
      report.diagnostics.push_back({c.path, 0, 0, "",
                                    "people may not edit " + c.path.substr(0, c.path.find('/')) +
                                        "/: it is written only by " + owner});
      continue;
    }
    if (rule.ok() && rule->area == Area::kNotSpec) continue;
    if (!c.deleted()) changed.insert(c.path);
    if (c.path.rfind("policy/skus/", 0) == 0 || c.path.rfind("policy/satellites/", 0) == 0) {
      whole_fleet = true;  // a SKU change can break any cluster that uses it
    }
    if (std::string org = OrgOfTenantPath(c.path); !org.empty()) orgs.insert(org);
    if (c.path.rfind("policy/orgs/", 0) == 0 && rule.ok()) orgs.insert(rule->name);
  }

  // The part of a tree the change can affect: policy, the affected orgs, and the changed files
  // themselves (also those whose path breaks the layout). Loaded from the head and from the base,
  // so that an error the change causes in a file it did not touch (a cluster whose network it
  // deleted) is told apart from one that was there before.
  auto scope = [&](const git_oid& commit, const git_oid& tree,
                   bool head_side) -> Result<std::vector<SpecInput>> {
    if (whole_fleet) return InputsAtRevision(repo, OidToHex(commit));
    std::vector<TreeFile> files;
    ASSIGN_OR_RETURN(files, repo.ListFilesUnder(tree, "policy"));
    for (const auto& org : orgs) {
      ASSIGN_OR_RETURN(std::vector<TreeFile> org_files, repo.ListFilesUnder(tree, "tenants/" + org));
      files.insert(files.end(), org_files.begin(), org_files.end());
    }
    std::set<std::string> listed;
    for (const auto& f : files) listed.insert(f.path);
    for (const auto& c : changes) {
      bool present = head_side ? !c.deleted() : !c.added();
      if (!present || listed.count(c.path) != 0) continue;
      Result<PathRule> rule = ClassifyPath(c.path);
      if (rule.ok() && rule->area != Area::kPolicy && rule->area != Area::kTenant &&
          rule->area != Area::kRollout) {
        continue;  // derived/, satellites/ (refused above) and files that are not specs
      }
      files.push_back({c.path, head_side ? c.new_oid : c.old_oid,
                       head_side ? c.new_mode : c.old_mode});
    }
    std::vector<SpecInput> inputs;
    for (auto& f : files) inputs.push_back({std::move(f.path), f.oid, f.mode, ""});
    return inputs;
  };
  ASSIGN_OR_RETURN(std::vector<SpecInput> head_inputs, scope(head_commit, head_tree, true));
  ASSIGN_OR_RETURN(std::vector<SpecInput> base_inputs, scope(base_commit, base_tree, false));
  ASSIGN_OR_RETURN(ValidationReport full, LoadAndCheck(repo_path, head_inputs, options));
  ASSIGN_OR_RETURN(ValidationReport before, LoadAndCheck(repo_path, base_inputs, options));
  auto key = [](const Diagnostic& d) { return d.file + "\n" + d.field + "\n" + d.message; };
  std::set<std::string> already_there;
  for (const auto& d : before.diagnostics) already_there.insert(key(d));

  // Report what the change is answerable for: every problem in the files it touches, and new
  // problems elsewhere. An org's quota that it pushes over is shown on the change's own cluster
  // file when the policy itself is unchanged.
  std::map<std::string, std::string> first_changed_cluster;  // org → file
  for (const auto& path : changed) {
    std::string org = OrgOfTenantPath(path);
    if (!org.empty() && path.find("/kafka/") != std::string::npos) {
      first_changed_cluster.emplace(org, path);
    }
  }
  for (auto& d : full.diagnostics) {
    if (changed.count(d.file) != 0) {
      report.diagnostics.push_back(std::move(d));
      continue;
    }
    if (already_there.count(key(d)) != 0) continue;
    if (d.file.rfind("policy/orgs/", 0) == 0 && d.field.rfind("spec.quotas.", 0) == 0) {
      std::string org = d.file.substr(12, d.file.size() - 12 - 5);
      auto it = first_changed_cluster.find(org);
      if (it != first_changed_cluster.end()) {
        report.diagnostics.push_back({it->second, 0, 0, "", d.message + " (" + d.file + ")"});
        continue;
      }
    }
    report.diagnostics.push_back(std::move(d));
  }
  report.files_checked = changed.size();
  SortAndDedupe(&report.diagnostics);
  return report;
}

}  // namespace strata::specs
