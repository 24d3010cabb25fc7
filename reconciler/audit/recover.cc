#include "reconciler/audit/recover.h"

#include <spdlog/spdlog.h>

#include "core/handles.h"
#include "reconciler/audit/path_history.h"
#include "reconciler/audit/work_tree.h"
#include "specs/kinds.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::audit {
namespace {

// "" when `bytes` is a valid resource at `path`, else the first problem.
std::string Problem(specs::SchemaValidator& validator, const std::string& path,
                    const std::string& bytes) {
  specs::Diagnostics diagnostics;
  auto resource = specs::LoadResource(path, bytes, &validator, &diagnostics);
  if (resource && resource->valid) return "";
  if (diagnostics.empty()) return "invalid";
  specs::SortAndDedupe(&diagnostics);
  return diagnostics.front().ToString();
}

std::string Short(const git_oid& id) { return OidToHex(id).substr(0, 7); }

Status SetSource(const Repository& repo, const git_oid& commit, RecoverPlan& plan) {
  ASSIGN_OR_RETURN(CommitInfo info, repo.ReadCommit(commit));
  plan.source_commit = commit;
  plan.source_time = info.author_time;
  plan.source_subject = info.message.substr(0, info.message.find('\n'));
  return Status::Ok();
}

}  // namespace

Result<RecoverPlan> PlanRecover(const Repository& repo, const RecoverRequest& request) {
  RecoverPlan plan;
  plan.key = request.key;
  plan.branch = request.branch;
  ASSIGN_OR_RETURN(plan.path, specs::PathOfKey(request.key));
  ASSIGN_OR_RETURN(plan.head, repo.ResolveCommit("refs/heads/" + request.branch));
  ASSIGN_OR_RETURN(git_oid head_tree, repo.TreeOfCommit(plan.head));
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  specs::SchemaValidator validator(schemas);

  std::optional<std::string> head_content;
  Result<TreeFile> at_head = repo.FindPath(head_tree, plan.path);
  if (at_head.ok()) {
    plan.head_blob = at_head->oid;
    ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(at_head->oid));
    plan.head_problem = Problem(validator, plan.path, bytes);
    head_content = std::move(bytes);
  } else if (at_head.status().code() == StatusCode::kNotFound) {
    plan.head_problem = "deleted";
  } else {
    return at_head.status();
  }

  if (!request.at.empty()) {
    ASSIGN_OR_RETURN(git_oid at, repo.ResolveCommit(request.at));
    ASSIGN_OR_RETURN(git_oid at_tree, repo.TreeOfCommit(at));
    Result<TreeFile> file = repo.FindPath(at_tree, plan.path);
    if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(plan.key + " did not exist at " + request.at + " (" + plan.path +
                              " is absent there)");
    }
    if (!file.ok()) return file.status();
    ASSIGN_OR_RETURN(plan.content, repo.ReadBlob(file->oid));
    std::string problem = Problem(validator, plan.path, plan.content);
    if (!problem.empty()) {
      return Status::FailedPrecondition(plan.key + " at " + request.at +
                                        " is not valid, refusing to restore it: " + problem);
    }
    RETURN_IF_ERROR(SetSource(repo, at, plan));
    if (git_oid_equal(&file->oid, &plan.head_blob)) {
      plan.nothing_to_do =
          plan.key + " on " + plan.branch + " is already as it was at " + request.at;
    }
  } else if (plan.head_problem.empty()) {
    plan.nothing_to_do = plan.key + " is present and valid on " + plan.branch +
                         ": nothing to recover (give --at REV to go back to a version)";
  } else {
    ASSIGN_OR_RETURN(PathWalk walk, WalkPathHistory(repo, plan.head, plan.path));
    bool found = false;
    for (const PathChange& change : walk.changes) {
      if (change.deleted() || git_oid_equal(&change.new_blob, &plan.head_blob)) continue;
      ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(change.new_blob));
      // Validated at the path it goes back to: a version from before an org rename names the old
      // org, and is not a valid file here.
      if (!Problem(validator, plan.path, bytes).empty()) continue;
      plan.content = std::move(bytes);
      RETURN_IF_ERROR(SetSource(repo, change.commit, plan));
      found = true;
      break;
    }
    if (!found) {
      return Status::FailedPrecondition("no valid version of " + plan.key + " on the history of " +
                                        plan.branch + " to recover");
    }
  }
  if (!plan.nothing_to_do.empty()) return plan;
  plan.diff = DiffVersions(plan.path, head_content ? &*head_content : nullptr, &plan.content);
  plan.message = "recover " + plan.key + " as of " + Short(plan.source_commit) + " (" +
                 FormatDate(plan.source_time) + ": " + plan.source_subject + ")\n\n" +
                 (plan.head_problem == "deleted" ? "It was deleted on " + plan.branch + "."
                  : plan.head_problem.empty()
                      ? "Restored to its version at " + request.at + "."
                      : "It was invalid on " + plan.branch + ": " + plan.head_problem) +
                 "\n\nStrata-Recovered-From: " + OidToHex(plan.source_commit) + "\n";
  return plan;
}

Result<Author> ParseAuthor(const std::string& text) {
  size_t open = text.find('<');
  size_t close = text.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      close != text.size() - 1) {
    return Status::InvalidArgument("--author '" + text + "': expected \"Name <email>\"");
  }
  std::string name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::string email = text.substr(open + 1, close - open - 1);
  if (name.empty() || email.empty()) {
    return Status::InvalidArgument("--author '" + text + "': expected \"Name <email>\"");
  }
  return Author{name, email};
}

Result<Author> AuthorFromConfig(const Repository& repo) {
  git_config* raw = nullptr;
  if (int rc = git_repository_config_snapshot(&raw, repo.raw()); rc != 0) {
    return GitError(rc, "reading the git configuration");
  }
  std::unique_ptr<git_config, Deleter<git_config_free>> config(raw);
  const char* name = nullptr;
  const char* email = nullptr;
  if (git_config_get_string(&name, raw, "user.name") != 0 ||
      git_config_get_string(&email, raw, "user.email") != 0) {
    git_error_clear();
    return Status::NotFound(
        "no user.name and user.email in the git configuration: give --author "
        "\"Name <email>\"");
  }
  return Author{name, email};
}

Result<git_oid> CommitRecover(const Repository& repo, const RecoverPlan& plan,
                              const Author& author) {
  if (!plan.nothing_to_do.empty()) return Status::FailedPrecondition(plan.nothing_to_do);
  ASSIGN_OR_RETURN(std::string work_tree, CheckedOutWorkTree(repo, plan.branch));
  if (!work_tree.empty()) RETURN_IF_ERROR(RefuseLocalChanges(repo, plan.path, "recovering"));
  std::string ref = "refs/heads/" + plan.branch;
  git_oid head = plan.head;
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
    if (attempt > 0) {
      // Another writer moved the branch: go on only if it left this file as we planned on.
      Result<TreeFile> now = repo.FindPath(tree, plan.path);
      if (!now.ok() && now.status().code() != StatusCode::kNotFound) return now.status();
      git_oid now_blob = now.ok() ? now->oid : git_oid{};
      if (!git_oid_equal(&now_blob, &plan.head_blob)) {
        return Status::Aborted(plan.path + " changed on " + plan.branch +
                               " while recovering it; run strata recover again");
      }
    }
    ASSIGN_OR_RETURN(git_oid new_tree, repo.UpdateTree(tree, {{plan.path, plan.content}}));
    ASSIGN_OR_RETURN(git_oid commit,
                     repo.Commit("", new_tree, {head}, plan.message, author.name, author.email));
    Status swapped = repo.CompareAndSwapRef(ref, head, commit, "strata recover " + plan.key);
    if (swapped.ok()) {
      // The commit is on the branch whatever happens next: a work tree left behind is said, not
      // reported as a failed recovery (running it again would find nothing to recover).
      if (!work_tree.empty()) {
        if (Status s = WriteWorkTreeAndIndex(repo, work_tree, plan.path, plan.content); !s.ok()) {
          spdlog::warn(
              "recovered as {}, but the work tree was not updated ({}): run git checkout "
              "-- {}",
              OidToHex(commit).substr(0, 12), s.message(), plan.path);
        }
      }
      return commit;
    }
    if (swapped.code() != StatusCode::kAborted || attempt == 4) return swapped;
    ASSIGN_OR_RETURN(head, repo.ResolveCommit(ref));
  }
}

}  // namespace strata::audit
