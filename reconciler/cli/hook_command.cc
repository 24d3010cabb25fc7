// strata hook install: git hooks that wake a `strata reconcile --watch` the moment the branch moves
// (post-receive in a bare repository, post-commit and post-merge in one with a work tree).
// strata hook notify: what those hooks run. Neither a hook nor notify ever blocks or fails the push
// or the commit: with no reconciler running the wake-up is lost and its next start catches up.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/git.h"
#include "reconciler/cli/commands.h"
#include "reconciler/reconcile/wake.h"

namespace strata::cli {
namespace {

constexpr const char* kMarker = "# installed by strata hook install";

std::string SelfPath() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "strata";
}

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

Status Install(const std::string& repo_path, bool force) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  std::filesystem::path hooks = std::filesystem::path(git_repository_path(repo.raw())) / "hooks";
  std::error_code ec;
  std::filesystem::create_directories(hooks, ec);
  if (ec) return Status::Internal("cannot make " + hooks.string() + ": " + ec.message());
  std::vector<std::string> names = git_repository_is_bare(repo.raw()) != 0
                                       ? std::vector<std::string>{"post-receive"}
                                       : std::vector<std::string>{"post-commit", "post-merge"};
  std::string strata = SelfPath();
  for (const auto& name : names) {
    std::filesystem::path file = hooks / name;
    if (std::filesystem::exists(file, ec) && !force) {
      std::ifstream in(file);
      std::string existing((std::istreambuf_iterator<char>(in)), {});
      if (existing.find(kMarker) == std::string::npos) {
        return Status::AlreadyExists(file.string() +
                                     " exists and is not strata's; add to it the line\n  " + strata +
                                     " hook notify --git-dir \"$(git rev-parse --absolute-git-dir)\""
                                     "\nor pass --force to replace it");
      }
    }
    std::ofstream out(file, std::ios::trunc);
    out << HookScript(name, strata);
    out.close();
    if (!out) return Status::Internal("cannot write " + file.string());
    std::filesystem::permissions(file, std::filesystem::perms::owner_all |
                                           std::filesystem::perms::group_read |
                                           std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_read |
                                           std::filesystem::perms::others_exec,
                                 ec);
    if (ec) return Status::Internal("cannot make " + file.string() + " executable: " + ec.message());
    std::printf("installed %s\n", file.c_str());
  }
  return Status::Ok();
}

}  // namespace

void AddHookCommand(CLI::App& app, int* exit_code) {
  CLI::App* hook = app.add_subcommand("hook", "Git hooks that wake the reconciler");
  hook->require_subcommand(1);

  auto repo = std::make_shared<std::string>(".");
  auto force = std::make_shared<bool>(false);
  CLI::App* install = hook->add_subcommand(
      "install", "Install post-receive (bare) or post-commit and post-merge hooks in a fleet repo");
  install->add_option("--repo", *repo, "The fleet repository")->capture_default_str();
  install->add_flag("--force", *force, "Replace hooks that strata did not write");
  install->callback([=] {
    Status s = Install(*repo, *force);
    if (!s.ok()) {
      std::fprintf(stderr, "strata hook install: %s\n", s.message().c_str());
      *exit_code = kExitError;
    }
  });

  auto git_dir = std::make_shared<std::string>();
  CLI::App* notify = hook->add_subcommand("notify", "Wake the reconcilers watching a repository");
  notify->add_option("--git-dir", *git_dir, "The repository's git directory")->required();
  notify->callback([=] {
    int reached = reconcile::NotifyReconcilers(*git_dir);
    std::printf("woke %d reconciler%s\n", reached, reached == 1 ? "" : "s");
  });
}

}  // namespace strata::cli
