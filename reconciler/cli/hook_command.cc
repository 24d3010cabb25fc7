// strata hook install: git hooks that wake a `strata reconcile --watch` the moment the branch moves
// (post-receive in a bare repository, post-commit and post-merge in one with a work tree).
// strata hook notify: what those hooks run. Neither a hook nor notify ever blocks or fails the push
// or the commit: with no reconciler running the wake-up is lost and its next start catches up.
#include <cstdio>

#include "reconciler/cli/commands.h"
#include "reconciler/reconcile/hooks.h"
#include "reconciler/reconcile/wake.h"

namespace strata::cli {

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
    auto installed = reconcile::InstallWakeHooks(*repo, reconcile::SelfExecutable(), *force);
    if (!installed.ok()) {
      std::fprintf(stderr, "strata hook install: %s\n", installed.status().message().c_str());
      *exit_code = kExitError;
      return;
    }
    for (const std::string& file : *installed) std::printf("installed %s\n", file.c_str());
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
