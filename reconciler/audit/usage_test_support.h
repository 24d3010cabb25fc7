// Test and benchmark code only: fleet histories whose commit times are chosen, so that the hours
// `strata usage` answers are known in advance. A TimedHistory is a bare repository whose `main`
// gets commits dated as told (author and committer time alike); it can also rewrite `main` onto
// an older commit, as a force push does. Failures throw std::runtime_error with git's message.
#pragma once

#include <git2.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/git.h"

namespace strata::audit::testing {

// A KafkaCluster document; `cku` only when set (basic and standard have none).
inline std::string KafkaClusterYaml(const std::string& org, const std::string& name,
                                    const std::string& sku, const std::string& cloud,
                                    const std::string& region, std::optional<int> cku) {
  std::string yaml =
      "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
      "\n  org: " + org + "\nspec:\n  sku: " + sku + "\n  cloud: " + cloud +
      "\n  region: " + region + "\n  availability: single-zone\n";
  if (cku.has_value()) yaml += "  cku: " + std::to_string(*cku) + "\n";
  return yaml;
}

inline std::string KafkaPath(const std::string& org, const std::string& name) {
  return "tenants/" + org + "/kafka/" + name + ".yaml";
}

class TimedHistory {
 public:
  explicit TimedHistory(const std::string& bare_path)
      : repo_(Must(Repository::Init(bare_path, /*bare=*/true, "main"))), path_(bare_path) {}

  const Repository& repo() const { return repo_; }
  const std::string& path() const { return path_; }

  // Commits `updates` on top of `parent` (the tip of main when unset), dated `time`, and moves
  // main to it, forced when it is not a descendant (a force push). Returns the commit's sha.
  std::string Commit(int64_t time, const std::vector<Repository::TreeUpdate>& updates,
                     const std::string& message = "change", const std::string& parent = "",
                     const std::string& author = "Ada") {
    git_oid parent_id{};
    bool has_parent = false;
    if (!parent.empty()) {
      parent_id = Must(repo_.ResolveCommit(parent));
      has_parent = true;
    } else if (Result<git_oid> tip = repo_.ResolveCommit("refs/heads/main"); tip.ok()) {
      parent_id = *tip;
      has_parent = true;
    }
    git_oid base_tree = has_parent ? Must(repo_.TreeOfCommit(parent_id)) : git_oid{};
    git_oid tree_id = Must(repo_.UpdateTree(base_tree, updates));
    git_tree* tree = nullptr;
    Check(git_tree_lookup(&tree, repo_.raw(), &tree_id), "tree");
    git_commit* parent_commit = nullptr;
    if (has_parent) Check(git_commit_lookup(&parent_commit, repo_.raw(), &parent_id), "parent");
    git_signature* who = nullptr;
    Check(git_signature_new(&who, author.c_str(), "people@example.com", time, 0), "signature");
    const git_commit* parents[] = {parent_commit};
    git_oid commit{};
    int rc = git_commit_create(&commit, repo_.raw(), nullptr, who, who, nullptr, message.c_str(),
                               tree, has_parent ? 1 : 0, parents);
    git_signature_free(who);
    git_commit_free(parent_commit);
    git_tree_free(tree);
    Check(rc, "commit");
    git_reference* ref = nullptr;
    Check(git_reference_create(&ref, repo_.raw(), "refs/heads/main", &commit, /*force=*/1,
                               "timed history"),
          "moving main");
    git_reference_free(ref);
    return OidToHex(commit);
  }

  // Shorthands for one file.
  std::string Put(int64_t time, const std::string& path, const std::string& content,
                  const std::string& message = "change") {
    return Commit(time, {{path, content}}, message);
  }
  std::string Remove(int64_t time, const std::string& path) {
    return Commit(time, {{path, std::nullopt}}, "remove " + path);
  }

 private:
  template <class T>
  static T Must(Result<T> result) {
    if (!result.ok()) throw std::runtime_error(result.status().ToString());
    return std::move(result).value();
  }
  static void Check(int rc, const char* what) {
    if (rc < 0) throw std::runtime_error(GitError(rc, what).ToString());
  }

  Repository repo_;
  std::string path_;
};

}  // namespace strata::audit::testing
