#include "reconciler/audit/work_tree.h"

#include <filesystem>
#include <fstream>

#include "core/handles.h"

namespace strata::audit {

Result<std::string> CheckedOutWorkTree(const Repository& repo, const std::string& branch) {
  if (git_repository_is_bare(repo.raw())) return std::string();
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo.raw(), "HEAD") != 0) {
    git_error_clear();
    return std::string();
  }
  std::unique_ptr<git_reference, Deleter<git_reference_free>> head(raw);
  if (git_reference_type(raw) != GIT_REFERENCE_SYMBOLIC ||
      std::string(git_reference_symbolic_target(raw)) != "refs/heads/" + branch) {
    return std::string();
  }
  return std::string(git_repository_workdir(repo.raw()));
}

Status RefuseLocalChanges(const Repository& repo, const std::string& path, std::string_view doing) {
  unsigned int flags = 0;
  int rc = git_status_file(&flags, repo.raw(), path.c_str());
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return Status::Ok();
  }
  if (rc != 0) return GitError(rc, "reading the status of " + path);
  if (flags != GIT_STATUS_CURRENT) {
    return Status::FailedPrecondition(path +
                                      " has local changes in the work tree or the index: "
                                      "commit or discard them before " +
                                      std::string(doing));
  }
  return Status::Ok();
}

Status WriteWorkTreeAndIndex(const Repository& repo, const std::string& work_tree,
                             const std::string& path, const std::string& content) {
  std::filesystem::path full = std::filesystem::path(work_tree) / path;
  std::error_code error;
  std::filesystem::create_directories(full.parent_path(), error);
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return Status::Internal("cannot write " + full.string());
  git_index* raw = nullptr;
  if (int rc = git_repository_index(&raw, repo.raw()); rc != 0) {
    return GitError(rc, "opening the index");
  }
  IndexPtr index(raw);
  if (int rc = git_index_read(raw, 0); rc != 0) return GitError(rc, "reading the index");
  if (int rc = git_index_add_bypath(raw, path.c_str()); rc != 0) {
    return GitError(rc, "adding " + path + " to the index");
  }
  if (int rc = git_index_write(raw); rc != 0) return GitError(rc, "writing the index");
  return Status::Ok();
}

}  // namespace strata::audit
