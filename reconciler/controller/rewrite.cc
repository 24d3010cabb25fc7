#include "reconciler/controller/rewrite.h"

#include <optional>
#include <set>
#include <string_view>

#include "reconciler/controller/fleet_view.h"
#include "reconciler/controller/output_batch.h"
#include "reconciler/controller/path_kind.h"
#include "reconciler/reconcile/checkpoint.h"

namespace strata::controller {
namespace {

constexpr std::string_view kPolicyDir = "policy/";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The paths a rewrite makes a controller reconcile, as they are found.
class InputSet {
 public:
  InputSet(const Repository& repo, const ControllerInfo& info, const git_oid& to_tree)
      : repo_(repo), to_tree_(to_tree) {
    kinds_.insert(info.inputs.begin(), info.inputs.end());
    kinds_.insert(info.observes.begin(), info.observes.end());
  }

  bool IsInput(const std::string& path, const std::string& bytes) const {
    return kinds_.count(KindOfPath(path, bytes)) > 0;
  }

  // An input behind an output: a file is reconciled as it is now (a missing one as deleted), a
  // directory stands for the input files under it.
  Status AddBehind(const std::string& source) {
    if (source.size() > 5 && source.compare(source.size() - 5, 5, ".yaml") == 0) {
      paths_.insert(source);
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo_.ListFilesUnder(to_tree_, source));
    for (const TreeFile& f : files) {
      ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(f.oid));
      if (IsInput(f.path, bytes)) paths_.insert(f.path);
    }
    return Status::Ok();
  }

  void Add(const std::string& path) { paths_.insert(path); }
  std::vector<std::string> Take() { return {paths_.begin(), paths_.end()}; }

 private:
  const Repository& repo_;
  git_oid to_tree_;
  std::set<std::string> kinds_;
  std::set<std::string> paths_;
};

}  // namespace

// The default of Controller::InputsBehind (controller.h), here with the rest of the rewrite rules.
std::vector<std::string> Controller::InputsBehind(const std::string& path,
                                                  const specs::Node& doc) const {
  (void)path;
  std::vector<std::string> inputs;
  const specs::Node* metadata = doc.is_map() ? doc.Find("metadata") : nullptr;
  const specs::Node* annotations = metadata != nullptr ? metadata->Find("annotations") : nullptr;
  if (annotations == nullptr) return inputs;
  std::string_view list = annotations->StringAt(kSources);
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view one = list.substr(0, comma);
    if (!one.empty() && !StartsWith(one, kPolicyDir)) inputs.emplace_back(one);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return inputs;
}

std::string SeenRef(const std::string& branch, const std::string& controller) {
  return "refs/strata/controllers/" + branch + "/" + controller;
}

Result<bool> ReconcilerHasPublished(const Repository& repo, const std::string& branch,
                                    const git_oid& head) {
  ASSIGN_OR_RETURN(reconcile::Checkpoint checkpoint, reconcile::ReadCheckpoint(repo, branch));
  if (!checkpoint.exists) return true;
  return repo.Descends(head, checkpoint.commit);
}

Result<std::vector<std::string>> PathsToRederive(const Repository& repo, const Controller& controller,
                                                 const git_oid& from, const git_oid& to) {
  const ControllerInfo& info = controller.info();
  if (IsZeroOid(from)) return std::vector<std::string>();
  ASSIGN_OR_RETURN(bool forward, repo.Descends(to, from));
  if (forward) return std::vector<std::string>();
  ASSIGN_OR_RETURN(git_oid from_tree, repo.TreeOfCommit(from));
  ASSIGN_OR_RETURN(git_oid to_tree, repo.TreeOfCommit(to));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changes, repo.DiffTrees(from_tree, to_tree));
  InputSet inputs(repo, info, to_tree);
  for (const ChangedFile& c : changes) {
    std::optional<std::string> before, after;
    if (!c.added()) {
      ASSIGN_OR_RETURN(before, repo.ReadBlob(c.old_oid));
    }
    if (!c.deleted()) {
      ASSIGN_OR_RETURN(after, repo.ReadBlob(c.new_oid));
    }
    if (inputs.IsInput(c.path, after.has_value() ? *after : *before)) inputs.Add(c.path);
    if (!StartsWith(c.path, info.prefix)) continue;
    for (const std::optional<std::string>& version : {before, after}) {
      if (!version.has_value()) continue;
      std::optional<specs::Node> doc = ParseDoc(c.path, *version);
      if (!doc.has_value()) continue;
      for (const std::string& input : controller.InputsBehind(c.path, *doc)) {
        RETURN_IF_ERROR(inputs.AddBehind(input));
      }
    }
  }
  return inputs.Take();
}

}  // namespace strata::controller
