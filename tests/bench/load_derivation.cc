#include "tests/bench/load_derivation.h"

#include <filesystem>
#include <map>

#include "core/git.h"
#include "core/test_support.h"
#include "reconciler/controllers/in_process_cake.h"

namespace strata::bench {
namespace {

// Satellite ref → the commit it points to.
std::map<std::string, std::string> SatelliteRefs(const Repository& repo) {
  std::map<std::string, std::string> refs;
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_glob_new(&it, repo.raw(), "refs/heads/satellites/*") != 0) return refs;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    auto commit = repo.ReadRef(git_reference_name(ref));
    refs[git_reference_name(ref)] = commit.ok() ? OidToHex(*commit) : "";
    git_reference_free(ref);
  }
  git_reference_iterator_free(it);
  return refs;
}

}  // namespace

Result<std::vector<std::string>> DiffFromFreshDerivation(const std::string& fleet, const std::string& scratch,
                                                         const std::string& branch) {
  std::filesystem::remove_all(scratch);
  auto cloned = testing::Sh("git clone -q --mirror " + fleet + " " + scratch + " 2>&1");
  if (cloned.code != 0) return Status::Unavailable("git clone --mirror: " + cloned.out);
  std::vector<std::string> differ;
  std::map<std::string, std::string> refs_before;
  git_oid head_before{};
  {
    ASSIGN_OR_RETURN(Repository copy, Repository::Open(scratch));
    ASSIGN_OR_RETURN(head_before, copy.ResolveCommit("refs/heads/" + branch));
    refs_before = SatelliteRefs(copy);
  }
  ASSIGN_OR_RETURN(auto cake, controllers::InProcessCake::Create(scratch, {}, branch));
  RETURN_IF_ERROR(cake->Settle().status());
  ASSIGN_OR_RETURN(Repository copy, Repository::Open(scratch));
  ASSIGN_OR_RETURN(git_oid head_after, copy.ResolveCommit("refs/heads/" + branch));
  ASSIGN_OR_RETURN(git_oid tree_before, copy.TreeOfCommit(head_before));
  ASSIGN_OR_RETURN(git_oid tree_after, copy.TreeOfCommit(head_after));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, copy.DiffTrees(tree_before, tree_after));
  for (const ChangedFile& f : changed) differ.push_back(f.path);
  for (const auto& [ref, commit] : SatelliteRefs(copy)) {
    if (refs_before[ref] != commit) differ.push_back(ref);
  }
  return differ;
}

}  // namespace strata::bench
