#include "tests/bench/load_burst.h"

#include <random>
#include <vector>

namespace strata::bench {
namespace {

struct Dedicated {
  std::string path;
  std::string text;
  int cku = 0;
};

// `text` with the rest of the line after `key` (e.g. "\n  cku: ") replaced by `value`.
std::string WithValue(std::string text, const std::string& key, const std::string& value) {
  size_t at = text.find(key) + key.size();
  return text.replace(at, text.find('\n', at) - at, value);
}

}  // namespace

Result<Burst> MakeBurst(const Repository& repo, const std::string& ref, int commits, uint64_t seed,
                        const std::string& tag) {
  ASSIGN_OR_RETURN(git_oid start, repo.ReadRef(ref));
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(start));
  ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo.ListFilesUnder(tree, "tenants"));
  std::vector<Dedicated> dedicated;
  std::vector<std::string> removable;  // shared clusters: nothing else names them
  std::vector<std::string> templates;  // their files, to copy as new clusters
  for (const TreeFile& f : files) {
    if (f.path.find("/kafka/") == std::string::npos) continue;
    ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(f.oid));
    size_t cku = text.find("\n  cku: ");
    if (cku != std::string::npos) {
      dedicated.push_back({f.path, text, std::atoi(text.c_str() + cku + 8)});
    } else if (text.find("network:") == std::string::npos) {
      removable.push_back(f.path);
      templates.push_back(text);
    }
  }
  if (dedicated.empty() || templates.empty()) {
    return Status::FailedPrecondition("the fleet has no dedicated and shared clusters to change");
  }
  std::mt19937_64 random(seed);
  auto pick = [&random](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  Burst burst;
  git_oid head = start;
  for (int i = 0; i < commits; ++i) {
    Repository::TreeUpdate update;
    std::string message;
    // Half the changes scale, a quarter add and a quarter delete: the mix of a busy day.
    if (i % 2 == 0 || removable.empty()) {
      Dedicated& d = dedicated[pick(dedicated.size())];
      d.cku = d.cku < 90 ? d.cku + 1 : d.cku - 1;  // up stays above the multi-zone minimum
      d.text = WithValue(d.text, "\n  cku: ", std::to_string(d.cku));
      update = {d.path, d.text};
      message = "Scale " + d.path + " to " + std::to_string(d.cku) + " CKU";
      ++burst.cku_changes;
    } else if (i % 4 == 1) {
      std::string name = "load-" + tag + "-" + std::to_string(i);
      std::string text = WithValue(templates[pick(templates.size())], "\n  name: ", name);
      size_t org = text.find("\n  org: ") + 8;
      std::string path = "tenants/" + text.substr(org, text.find('\n', org) - org) + "/kafka/" + name + ".yaml";
      update = {path, text};
      removable.push_back(path);
      message = "Add " + path;
      ++burst.added;
    } else {
      size_t at = pick(removable.size());
      update = {removable[at], std::nullopt};
      message = "Delete " + removable[at];
      removable[at] = removable.back();
      removable.pop_back();
      ++burst.deleted;
    }
    ASSIGN_OR_RETURN(tree, repo.UpdateTree(tree, {update}));
    ASSIGN_OR_RETURN(head, repo.Commit("", tree, {head}, message + " (#" + std::to_string(i + 1) + ")",
                                       "Ada", "ada@example.com"));
  }
  RETURN_IF_ERROR(repo.CompareAndSwapRef(ref, start, head, "load burst"));
  burst.head = head;
  return burst;
}

}  // namespace strata::bench
