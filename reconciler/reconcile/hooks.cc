#include "reconciler/reconcile/hooks.h"

#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include "core/git.h"

namespace strata::reconcile {

namespace {
constexpr const char* kMarker = "# installed by strata hook install";

}  // namespace

std::string SelfExecutable() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "strata";
}

namespace {

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string HookScript(const std::string& hook, const std::string& strata) {
  std::string script = "#!/bin/sh\n" + std::string(kMarker) +
                       ": wakes the reconcilers watching this repository.\n"
                       "# It never blocks or fails the " +
                       (hook == "post-receive" ? "push" : "commit") +
                       ": a reconciler that is down catches up when it starts.\n";
  if (hook == "post-receive") script += "cat >/dev/null\n";  // the updated refs: not needed
  script += "git_dir=$(git rev-parse --absolute-git-dir 2>/dev/null) || exit 0\n"
            "timeout 2 " + ShellQuote(strata) +
            " hook notify --git-dir \"$git_dir\" </dev/null >/dev/null 2>&1\n"
            "exit 0\n";
  return script;
}

}  // namespace

namespace {

// Writes one hook, executable; a hook that strata did not write is kept unless `force`, with
// `by_hand` saying what to add to it.
Status WriteHook(const std::filesystem::path& file, const std::string& script,
                 const std::string& by_hand, bool force) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && !force) {
    std::ifstream in(file);
    std::string existing((std::istreambuf_iterator<char>(in)), {});
    if (existing.find(kMarker) == std::string::npos) {
      return Status::AlreadyExists(file.string() + " exists and is not strata's; add to it the line\n  " +
                                   by_hand + "\nor pass --force to replace it");
    }
  }
  std::ofstream out(file, std::ios::trunc);
  out << script;
  out.close();
  if (!out) return Status::Internal("cannot write " + file.string());
  std::filesystem::permissions(file, std::filesystem::perms::owner_all |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::group_exec |
                                         std::filesystem::perms::others_read |
                                         std::filesystem::perms::others_exec,
                               ec);
  if (ec) return Status::Internal("cannot make " + file.string() + " executable: " + ec.message());
  return Status::Ok();
}

Result<std::filesystem::path> HooksDir(const Repository& repo) {
  std::filesystem::path hooks = std::filesystem::path(git_repository_path(repo.raw())) / "hooks";
  std::error_code ec;
  std::filesystem::create_directories(hooks, ec);
  if (ec) return Status::Internal("cannot make " + hooks.string() + ": " + ec.message());
  return hooks;
}

}  // namespace

Result<std::vector<std::string>> InstallWakeHooks(const std::string& repo_path,
                                                  const std::string& strata, bool force) {
  std::vector<std::string> installed;
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  ASSIGN_OR_RETURN(std::filesystem::path hooks, HooksDir(repo));
  std::vector<std::string> names = git_repository_is_bare(repo.raw()) != 0
                                       ? std::vector<std::string>{"post-receive"}
                                       : std::vector<std::string>{"post-commit", "post-merge"};
  for (const auto& name : names) {
    std::filesystem::path file = hooks / name;
    RETURN_IF_ERROR(WriteHook(file, HookScript(name, strata),
                              strata + " hook notify --git-dir \"$(git rev-parse --absolute-git-dir)\"",
                              force));
    installed.push_back(file.string());
  }
  return installed;
}

Result<std::string> InstallGuardHook(const std::string& repo_path, const std::string& strata,
                                     const std::string& branch, bool trust_pushed_controller_commits,
                                     bool force) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  if (git_repository_is_bare(repo.raw()) == 0) {
    return Status::InvalidArgument(repo_path + " has a work tree: the guard belongs in the bare "
                                   "repository people push to");
  }
  ASSIGN_OR_RETURN(std::filesystem::path hooks, HooksDir(repo));
  std::string command = ShellQuote(strata) + " hook pre-receive --branch " + ShellQuote(branch) +
                        (trust_pushed_controller_commits ? " --trust-pushed-controller-commits" : "");
  std::string script = "#!/bin/sh\n" + std::string(kMarker) +
                       " --server: the guard of the fleet branch.\n"
                       "# Refuses a push whose commits break validation or ownership, naming the "
                       "commit, the file and the rule.\n"
                       "exec " + command + "\n";
  std::filesystem::path file = hooks / "pre-receive";
  RETURN_IF_ERROR(WriteHook(file, script, "exec " + command, force));
  return file.string();
}

}  // namespace strata::reconcile
