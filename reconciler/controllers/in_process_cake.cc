#include "reconciler/controllers/in_process_cake.h"

#include <algorithm>
#include <stdexcept>

#include "core/git.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controller/path_kind.h"

namespace strata::controllers {

Result<std::unique_ptr<InProcessCake>> InProcessCake::Create(const std::string& repo,
                                                             const std::vector<std::string>& names,
                                                             const std::string& branch,
                                                             const ControllerConfig& config) {
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  std::vector<controller::ControllerInfo> infos;
  std::vector<std::unique_ptr<controller::Controller>> all;
  for (const std::string& name : names.empty() ? ControllerNames() : names) {
    ASSIGN_OR_RETURN(auto c, MakeController(name, config));
    infos.push_back(c->info());
    all.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(controller::LayerCake cake, controller::ComputeLayers(infos));
  std::vector<std::string> order = cake.StartOrder();
  std::reverse(order.begin(), order.end());  // front layer first: the way changes flow
  std::unique_ptr<InProcessCake> out(new InProcessCake(repo, branch));
  for (const std::string& name : order) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& c) { return c && c->info().name == name; });
    controller::RuntimeOptions options;
    options.repo = repo;
    options.branch = branch;
    options.notify_reconcilers = false;
    ASSIGN_OR_RETURN(auto runtime,
                     controller::ControllerRuntime::Create(std::move(*it), options, schemas));
    out->members_.push_back({std::move(runtime), git_oid{}});
  }
  return out;
}

void InProcessCake::StartFrom(const git_oid& tree) {
  for (Member& m : members_) m.last_tree = tree;
}

InProcessCake::Member* InProcessCake::Find(const std::string& name) {
  for (Member& m : members_) {
    if (m.runtime->controller().info().name == name) return &m;
  }
  return nullptr;
}

controller::ControllerRuntime& InProcessCake::runtime(const std::string& name) {
  Member* member = Find(name);
  if (member == nullptr) throw std::logic_error("no controller " + name);
  return *member->runtime;
}

std::vector<std::string> InProcessCake::names() const {
  std::vector<std::string> out;
  for (const Member& m : members_) out.push_back(m.runtime->controller().info().name);
  return out;
}

Result<controller::BatchResult> InProcessCake::Step(const std::string& name) {
  Member* member = Find(name);
  if (member == nullptr) return Status::NotFound("no controller " + name);
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_));
  ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/" + branch_));
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changes, repo.DiffTrees(member->last_tree, tree));
  std::vector<std::string> inputs = member->runtime->controller().info().inputs;
  const auto& observes = member->runtime->controller().info().observes;
  inputs.insert(inputs.end(), observes.begin(), observes.end());
  std::vector<std::string> paths;
  std::vector<std::string> causes = {OidToHex(head)};
  for (const ChangedFile& c : changes) {
    std::string bytes;
    const git_oid& blob = c.deleted() ? c.old_oid : c.new_oid;
    ASSIGN_OR_RETURN(bytes, repo.ReadBlob(blob));
    std::string kind = controller::KindOfPath(c.path, bytes);
    if (std::find(inputs.begin(), inputs.end(), kind) != inputs.end()) paths.push_back(c.path);
  }
  if (!changes.empty()) {
    for (const std::string& path : member->requeued) {
      if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    }
    std::sort(paths.begin(), paths.end());
  }
  if (paths.empty()) {
    member->last_tree = tree;
    return controller::BatchResult{};
  }
  // Seen only once reconciled: a failed batch hands the same paths again at the next Step.
  ASSIGN_OR_RETURN(controller::BatchResult result, member->runtime->ProcessBatch(paths, causes));
  member->last_tree = tree;
  member->requeued.clear();
  for (const auto& [path, outcome] : result.outcomes) {
    if (outcome.requeue_after.count() > 0) member->requeued.insert(path);
    if (outcome.type == controller::Outcome::Type::kInvalid) {
      rejections_[path] = {name, outcome};
    } else if (auto it = rejections_.find(path);
               it != rejections_.end() && it->second.controller == name) {
      rejections_.erase(it);
    }
  }
  return result;
}

Result<std::map<std::string, int>> InProcessCake::Settle(int max_rounds) {
  std::map<std::string, int> commits;
  for (int round = 0; round < max_rounds; ++round) {
    bool any = false;
    for (const std::string& name : names()) {
      ASSIGN_OR_RETURN(controller::BatchResult result, Step(name));
      if (!IsZeroOid(result.commit)) {
        ++commits[name];
        any = true;
      }
    }
    if (!any) return commits;
  }
  return Status::Aborted("the layer cake did not settle in " + std::to_string(max_rounds) +
                         " rounds");
}

}  // namespace strata::controllers
