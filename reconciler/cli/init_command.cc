// strata init DIR: a new fleet repository from the example fleet built into the binary, with the
// JSON Schemas under .strata/schema/ so editors (yaml-language-server modelines) find them.
#include <cstdio>

#include "reconciler/cli/commands.h"
#include "reconciler/up/up_home.h"

namespace strata::cli {

void AddInitCommand(CLI::App& app, int* exit_code) {
  auto dir = std::make_shared<std::string>();
  auto bare = std::make_shared<bool>(false);
  auto branch = std::make_shared<std::string>("main");
  CLI::App* cmd = app.add_subcommand("init", "Create a fleet repository from the example fleet");
  cmd->add_option("dir", *dir, "Directory of the new repository")->required();
  cmd->add_flag("--bare", *bare, "Make a bare repository (as a git host holds it)");
  cmd->add_option("--branch", *branch, "The fleet branch")->capture_default_str();
  cmd->callback([=] {
    Status s = up::InitExampleFleet(*dir, *bare, *branch);
    if (!s.ok()) {
      std::fprintf(stderr, "strata init: %s\n", s.message().c_str());
      *exit_code = kExitError;
      return;
    }
    std::printf("Initialised fleet repository in %s (branch %s)\n", dir->c_str(), branch->c_str());
  });
}

}  // namespace strata::cli
