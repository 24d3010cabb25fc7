#include "tests/support/layer_cake.h"

#include <algorithm>

#include "core/git.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controllers/registry.h"
#include "specs/kinds.h"

namespace strata::testing {

std::string KindOfPath(const std::string& path, const std::string& bytes) {
  Result<specs::PathRule> rule = specs::ClassifyPath(path);
  if (!rule.ok() || rule->area == specs::Area::kNotSpec) return "";
  if (!rule->kind.empty()) return rule->kind;
  size_t at = bytes.find("\nkind: ");
  if (at == std::string::npos) return "";
  size_t end = bytes.find('\n', at + 7);
  return bytes.substr(at + 7, end - at - 7);
}

Result<std::unique_ptr<LayerCake>> LayerCake::Create(const std::string& repo,
                                                     const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  std::vector<controller::ControllerInfo> infos;
  std::vector<std::unique_ptr<controller::Controller>> all;
  for (const std::string& name : names.empty() ? controllers::ControllerNames() : names) {
    ASSIGN_OR_RETURN(auto c, controllers::MakeController(name));
    infos.push_back(c->info());
    all.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(controller::LayerCake cake, controller::ComputeLayers(infos));
  std::vector<std::string> order = cake.StartOrder();
  std::reverse(order.begin(), order.end());  // front layer first: the way changes flow
  std::unique_ptr<LayerCake> out(new LayerCake(repo));
  for (const std::string& name : order) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& c) { return c && c->info().name == name; });
    controller::RuntimeOptions options;
    options.repo = repo;
    options.notify_reconcilers = false;
    ASSIGN_OR_RETURN(auto runtime,
                     controller::ControllerRuntime::Create(std::move(*it), options, schemas));
    out->members_.push_back({std::move(runtime), ""});
  }
  return out;
}

controller::ControllerRuntime& LayerCake::runtime(const std::string& name) {
  for (Member& m : members_) {
    if (m.runtime->controller().info().name == name) return *m.runtime;
  }
  throw std::runtime_error("no controller " + name);
}

Result<controller::BatchResult> LayerCake::Step(const std::string& name) {
  Member* member = nullptr;
  for (Member& m : members_) {
    if (m.runtime->controller().info().name == name) member = &m;
  }
  if (member == nullptr) return Status::NotFound("no controller " + name);
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_));
  ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/main"));
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
  git_oid last{};
  if (!member->last_tree.empty()) git_oid_fromstr(&last, member->last_tree.c_str());
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changes, repo.DiffTrees(last, tree));
  const auto& inputs = member->runtime->controller().info().inputs;
  std::vector<std::string> paths;
  std::vector<std::string> causes = {OidToHex(head)};
  for (const ChangedFile& c : changes) {
    std::string bytes;
    const git_oid& blob = c.deleted() ? c.old_oid : c.new_oid;
    ASSIGN_OR_RETURN(bytes, repo.ReadBlob(blob));
    std::string kind = KindOfPath(c.path, bytes);
    if (std::find(inputs.begin(), inputs.end(), kind) != inputs.end()) paths.push_back(c.path);
  }
  member->last_tree = OidToHex(tree);
  if (paths.empty()) return controller::BatchResult{};
  return member->runtime->ProcessBatch(paths, causes);
}

Result<std::map<std::string, int>> LayerCake::Settle(int max_rounds) {
  std::map<std::string, int> commits;
  for (int round = 0; round < max_rounds; ++round) {
    bool any = false;
    for (Member& m : members_) {
      const std::string& name = m.runtime->controller().info().name;
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

}  // namespace strata::testing
