// strata plan: what a pull request would do downstream, layer by layer (see reconciler/plan/).
// Exit codes: 0 no downstream change, 3 changes, 1 something the control plane would refuse,
// 2 an error (a bad revision, a conflict with the base).
#include <spdlog/spdlog.h>

#include <cstdio>

#include "core/log.h"
#include "reconciler/cli/commands.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/render.h"

namespace strata::cli {

void AddPlanCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<plan::PlanOptions>();
  auto output = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Show what a pull request would change downstream, layer by layer, committing nothing");
  cmd->add_option("--repo", options->repo, "A clone holding both revisions")->capture_default_str();
  cmd->add_option("--base", options->base, "The branch the pull request merges into (origin/main)")
      ->required();
  cmd->add_option("--head", options->head, "The pull request's head")->capture_default_str();
  cmd->add_option("--output", *output, "text, json, or markdown (a comment for the pull request)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  cmd->callback([=] {
    // The controllers log what they refuse as warnings; the plan reports it, once.
    if (CurrentLogLevel() == "warn") spdlog::set_level(spdlog::level::err);
    Result<plan::PlanResult> result = plan::Plan(*options);
    if (!result.ok()) {
      std::fprintf(stderr, "strata plan: %s\n", result.status().message().c_str());
      *exit_code = kExitError;
      return;
    }
    std::string text = *output == "json"       ? plan::RenderJson(*result)
                       : *output == "markdown" ? plan::RenderMarkdown(*result)
                                               : plan::RenderText(*result);
    std::fwrite(text.data(), 1, text.size(), stdout);
    *exit_code = plan::PlanExitCode(*result);
  });
}

}  // namespace strata::cli
