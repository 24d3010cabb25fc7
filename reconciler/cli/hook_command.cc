// strata hook install: git hooks that wake a `strata reconcile --watch` the moment the branch moves
// (post-receive in a bare repository, post-commit and post-merge in one with a work tree).
// strata hook install --server: also the pre-receive guard; strata hook pre-receive: what it runs.
// strata hook notify: what the wake hooks run. Neither a hook nor notify ever blocks or fails the
// push or the commit: with no reconciler running the wake-up is lost and its next start catches up.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "core/git.h"
#include "reconciler/cli/commands.h"
#include "reconciler/guard/push_guard.h"
#include "reconciler/reconcile/hooks.h"
#include "reconciler/reconcile/wake.h"

namespace strata::cli {
namespace {

// Exit 0 lets the push in; anything else refuses it (and a guard that cannot check refuses too).
int RunPreReceive(const guard::GuardOptions& options) {
  std::string input((std::istreambuf_iterator<char>(std::cin)), {});
  Result<std::vector<guard::RefUpdate>> updates = guard::ParseRefUpdates(input);
  if (!updates.ok()) {
    std::fprintf(stderr, "strata: %s\n", updates.status().message().c_str());
    return kExitError;
  }
  Result<Repository> repo = Repository::OpenFromEnvironment();
  if (!repo.ok()) {
    std::fprintf(stderr, "strata: %s\n", repo.status().message().c_str());
    return kExitError;
  }
  Result<std::vector<guard::Refusal>> refusals = guard::CheckPush(*repo, *updates, options);
  if (!refusals.ok()) {
    std::fprintf(stderr, "strata: cannot check the push: %s\n",
                 refusals.status().message().c_str());
    return kExitError;
  }
  for (const guard::Refusal& r : *refusals) {
    std::fprintf(stderr, "strata: %s\n", guard::FormatRefusal(r).c_str());
  }
  return refusals->empty() ? kExitOk : kExitInvalid;
}

}  // namespace

void AddHookCommand(CLI::App& app, int* exit_code) {
  CLI::App* hook = app.add_subcommand("hook", "Git hooks that wake the reconciler");
  hook->require_subcommand(1);

  auto repo = std::make_shared<std::string>(".");
  auto server = std::make_shared<std::string>();
  auto branch = std::make_shared<std::string>("main");
  auto force = std::make_shared<bool>(false);
  auto trust = std::make_shared<bool>(false);
  CLI::App* install = hook->add_subcommand(
      "install",
      "Install post-receive (bare) or post-commit and post-merge hooks in a fleet repo; "
      "with --server, also the pre-receive guard");
  install->add_option("--repo", *repo, "The fleet repository")->capture_default_str();
  install->add_option("--server", *server,
                      "A bare fleet repository people push to: install the guard that refuses "
                      "pushes breaking validation or ownership, and the wake hook");
  install->add_option("--branch", *branch, "The fleet branch the guard checks")
      ->capture_default_str();
  install->add_flag("--force", *force, "Replace hooks that strata did not write");
  const char* trust_help =
      "Accept pushed controller commits (trailer and identity agreeing, inside the controller's "
      "prefix): only where controllers push through the git host's own authentication";
  install->add_flag("--trust-pushed-controller-commits", *trust, trust_help);
  install->callback([=] {
    const std::string& target = server->empty() ? *repo : *server;
    std::vector<std::string> files;
    if (!server->empty()) {
      auto guard =
          reconcile::InstallGuardHook(target, reconcile::SelfExecutable(), *branch, *trust, *force);
      if (!guard.ok()) {
        std::fprintf(stderr, "strata hook install: %s\n", guard.status().message().c_str());
        *exit_code = kExitError;
        return;
      }
      files.push_back(*guard);
    }
    auto installed = reconcile::InstallWakeHooks(target, reconcile::SelfExecutable(), *force);
    if (!installed.ok()) {
      std::fprintf(stderr, "strata hook install: %s\n", installed.status().message().c_str());
      *exit_code = kExitError;
      return;
    }
    files.insert(files.end(), installed->begin(), installed->end());
    for (const std::string& file : files) std::printf("installed %s\n", file.c_str());
  });

  CLI::App* pre_receive = hook->add_subcommand(
      "pre-receive", "The guard git runs before it accepts a push (reads \"old new ref\" lines)");
  pre_receive->add_option("--branch", *branch, "The fleet branch")->capture_default_str();
  pre_receive->add_flag("--trust-pushed-controller-commits", *trust, trust_help);
  pre_receive->callback([=] { *exit_code = RunPreReceive({*branch, *trust}); });

  auto git_dir = std::make_shared<std::string>();
  CLI::App* notify = hook->add_subcommand("notify", "Wake the reconcilers watching a repository");
  notify->add_option("--git-dir", *git_dir, "The repository's git directory")->required();
  notify->callback([=] {
    int reached = reconcile::NotifyReconcilers(*git_dir);
    std::printf("woke %d reconciler%s\n", reached, reached == 1 ? "" : "s");
  });
}

}  // namespace strata::cli
