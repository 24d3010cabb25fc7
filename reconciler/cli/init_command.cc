// strata init DIR: a new fleet repository from the example fleet built into the binary, with the
// JSON Schemas under .strata/schema/ so editors (yaml-language-server modelines) find them.
#include <git2.h>

#include <cstdio>
#include <filesystem>

#include "core/git.h"
#include "reconciler/cli/commands.h"
#include "specs/embedded.h"

namespace strata::cli {
namespace {

Status InitFleet(const std::string& dir, bool bare, const std::string& branch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status::AlreadyExists(dir + " exists and is not empty");
  }
  std::map<std::string, std::string> files;
  for (const auto& f : EmbeddedExampleFleet()) files[std::string(f.path)] = std::string(f.content);
  for (const auto& f : EmbeddedSchemas()) {
    files[".strata/schema/" + std::string(f.path)] = std::string(f.content);
  }
  files["README.md"] =
      "# Fleet repository\n\nDesired state for a fleet of Kafka clusters, managed by strata.\n"
      "Change it through pull requests; check a change with `strata validate`.\n";
  ASSIGN_OR_RETURN(Repository repo, Repository::Init(dir, bare, branch));
  ASSIGN_OR_RETURN(git_oid tree, repo.WriteTree(files));
  ASSIGN_OR_RETURN(git_oid commit, repo.Commit("refs/heads/" + branch, tree, {},
                                               "init: example fleet\n", "strata init",
                                               "init@strata.dev"));
  (void)commit;
  if (!bare) {
    git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
    opts.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (int rc = git_checkout_head(repo.raw(), &opts); rc < 0) {
      return GitError(rc, "checking out " + branch);
    }
  }
  return Status::Ok();
}

}  // namespace

void AddInitCommand(CLI::App& app, int* exit_code) {
  auto dir = std::make_shared<std::string>();
  auto bare = std::make_shared<bool>(false);
  auto branch = std::make_shared<std::string>("main");
  CLI::App* cmd = app.add_subcommand("init", "Create a fleet repository from the example fleet");
  cmd->add_option("dir", *dir, "Directory of the new repository")->required();
  cmd->add_flag("--bare", *bare, "Make a bare repository (as a git host holds it)");
  cmd->add_option("--branch", *branch, "The fleet branch")->capture_default_str();
  cmd->callback([=] {
    Status s = InitFleet(*dir, *bare, *branch);
    if (!s.ok()) {
      std::fprintf(stderr, "strata init: %s\n", s.message().c_str());
      *exit_code = kExitError;
      return;
    }
    std::printf("Initialised fleet repository in %s (branch %s)\n", dir->c_str(), branch->c_str());
  });
}

}  // namespace strata::cli
