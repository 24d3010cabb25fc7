// strata recover KEY: brings back a resource deleted or broken by mistake — its last good version
// on the branch (the newest that passes validation and differs from the head), or its version at
// --at REV. A dry run by default: prints the field diff against the head, the file and the commit
// message; --commit writes it as a new commit on the branch.
//   strata recover KafkaCluster/acme/orders [--at REV] [--repo DIR] [--branch main] [--commit]
//                  [--author "Name <email>"]
// Exit codes: 0 written, or shown (dry run), or nothing to recover; 1 nothing valid to recover,
// the --at version is invalid, or the file has local changes; 2 a bad key, revision, author or
// repository, or five races lost in a row.
#include <cstdio>

#include "core/git.h"
#include "reconciler/audit/recover.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {
namespace {

struct Options {
  std::string key;
  std::string repo = ".";
  std::string branch = "main";
  std::string at;
  std::string author;
  bool commit = false;
};

int ExitFor(const Status& s) {
  std::fprintf(stderr, "strata recover: %s\n", s.message().c_str());
  return s.code() == StatusCode::kFailedPrecondition ? kExitInvalid : kExitError;
}

void PrintPlan(const audit::RecoverPlan& plan) {
  std::printf("%s (%s) on %s: %s\n", plan.key.c_str(), plan.path.c_str(), plan.branch.c_str(),
              plan.head_problem.empty() ? "valid" : plan.head_problem.c_str());
  std::printf("recover from %s (%s: %s)\n", OidToHex(plan.source_commit).substr(0, 7).c_str(),
              audit::FormatDate(plan.source_time).c_str(), plan.source_subject.c_str());
  if (plan.diff.change == audit::FileChange::kCreated) {
    std::printf("  %s: re-created\n", plan.path.c_str());
  } else if (!plan.diff.unreadable.empty()) {
    std::printf("  %s: replaces unreadable YAML (%s)\n", plan.path.c_str(),
                plan.diff.unreadable.c_str());
  } else {
    for (const auto& f : plan.diff.fields) {
      std::printf("  %s\n", specs::FormatFieldChange(f).c_str());
    }
  }
  std::printf("\n--- %s\n%s", plan.path.c_str(), plan.content.c_str());
  if (!plan.content.empty() && plan.content.back() != '\n') std::printf("\n");
  std::printf("--- commit message\n%s", plan.message.c_str());
}

int Run(const Options& options) {
  Result<Repository> repo = Repository::Open(options.repo);
  if (!repo.ok()) return ExitFor(repo.status());
  Result<audit::RecoverPlan> plan =
      audit::PlanRecover(*repo, {options.key, options.branch, options.at});
  if (!plan.ok()) return ExitFor(plan.status());
  if (!plan->nothing_to_do.empty()) {
    std::printf("%s\n", plan->nothing_to_do.c_str());
    return kExitOk;
  }
  if (!options.commit) {
    PrintPlan(*plan);
    std::printf("\ndry run: nothing written; add --commit to write it\n");
    return kExitOk;
  }
  Result<audit::Author> author =
      options.author.empty() ? audit::AuthorFromConfig(*repo) : audit::ParseAuthor(options.author);
  if (!author.ok()) return ExitFor(Status::InvalidArgument(author.status().message()));
  Result<git_oid> commit = audit::CommitRecover(*repo, *plan, *author);
  if (!commit.ok()) return ExitFor(commit.status());
  std::printf("recovered %s as of %s in commit %s on %s\n", plan->key.c_str(),
              OidToHex(plan->source_commit).substr(0, 7).c_str(), OidToHex(*commit).c_str(),
              plan->branch.c_str());
  return kExitOk;
}

}  // namespace

void AddRecoverCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "recover", "Restore a resource deleted or broken by mistake to its last good version");
  cmd->add_option("key", options->key, "The resource: KafkaCluster/ORG/NAME")->required();
  cmd->add_option("--at", options->at, "Restore the version at this revision instead");
  cmd->add_option("--repo", options->repo, "The fleet repository (a clone or the bare repository)")
      ->capture_default_str();
  cmd->add_option("--branch", options->branch, "The fleet branch")->capture_default_str();
  cmd->add_flag("--commit", options->commit, "Write the commit (default: a dry run)");
  cmd->add_option("--author", options->author,
                  "\"Name <email>\" of the commit (default: git config user.name/user.email)");
  cmd->callback([=] { *exit_code = Run(*options); });
}

}  // namespace strata::cli
