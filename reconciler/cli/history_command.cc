// strata history KEY: every change of a resource across the layers, newest first — the person's
// commits that changed its file (who, when, which commit, the field-level change) and under each
// the controller commits it caused with the resource's derived files they changed.
//   strata history KafkaCluster/acme/orders [--repo DIR] [--branch main] [--since DATE]
//                  [--limit N] [--output text|json]
// Exit codes: 0 history shown; 1 the key has no history on the branch ("no history for KEY on
// BRANCH", also with --output json, where the array is empty); 2 a malformed or unknown key, a bad
// --since, or a repository or branch that cannot be read.
#include <cstdio>

#include "core/git.h"
#include "reconciler/audit/dates.h"
#include "reconciler/audit/history.h"
#include "reconciler/audit/history_report.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {
namespace {

int Run(const std::string& repo_path, audit::HistoryRequest request, const std::string& since,
        bool json) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "strata history: %s\n", s.message().c_str());
    return kExitError;
  };
  if (!since.empty()) {
    Result<int64_t> parsed = audit::ParseInstant(since);
    if (!parsed.ok()) return fail(parsed.status());
    request.since = *parsed;
  }
  Result<Repository> repo = Repository::Open(repo_path);
  if (!repo.ok()) return fail(repo.status());
  Result<audit::History> history = audit::ReadHistory(*repo, request);
  if (!history.ok()) return fail(history.status());
  // Author names and subjects are whatever git holds: invalid UTF-8 is replaced, not fatal.
  if (json) {
    std::printf("%s\n", audit::HistoryJson(*history)
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  }
  if (history->entries.empty()) {
    std::fprintf(stderr, "strata history: no history for %s on %s%s\n", request.key.c_str(),
                 request.branch.c_str(), since.empty() ? "" : (" since " + since).c_str());
    return kExitInvalid;
  }
  if (!json) std::printf("%s", audit::HistoryText(*history, request.branch).c_str());
  return kExitOk;
}

}  // namespace

void AddHistoryCommand(CLI::App& app, int* exit_code) {
  auto key = std::make_shared<std::string>();
  auto repo = std::make_shared<std::string>(".");
  auto branch = std::make_shared<std::string>("main");
  auto since = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(0);
  auto output = std::make_shared<std::string>("text");
  CLI::App* cmd =
      app.add_subcommand("history", "Every change of a resource across the layers, newest first");
  cmd->add_option("key", *key, "The resource: KafkaCluster/ORG/NAME (or any key people write)")
      ->required();
  cmd->add_option("--repo", *repo, "The fleet repository (a clone or the bare repository)")
      ->capture_default_str();
  cmd->add_option("--branch", *branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--since", *since, "Only commits made on or after DATE (YYYY-MM-DD, UTC)");
  cmd->add_option("--limit", *limit, "At most N changes of the resource's file (0: all)")
      ->capture_default_str();
  cmd->add_option("--output,-o", *output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([=] {
    audit::HistoryRequest request;
    request.key = *key;
    request.branch = *branch;
    request.limit = *limit;
    *exit_code = Run(*repo, request, *since, *output == "json");
  });
}

}  // namespace strata::cli
