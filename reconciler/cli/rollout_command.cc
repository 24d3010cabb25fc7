// strata rollout: follow and steer a fleet-wide rollout (rollouts/<name>.yaml).
//   strata rollout status NAME [--repo .] [--branch main] [--output text|json]
//                              [--watch [--interval 2s]]
//   strata rollout approve NAME WAVE | pause NAME | resume NAME | abort NAME
//                  [--repo .] [--branch main] [--author "Name <email>"] [--dry-run]
// status reads the branch head: the Rollout, the rollout controller's progress and targets.
// The others write one commit that edits the Rollout (reconciler/rollout_cli/rollout_edit.h);
// --dry-run prints the change of the file and the commit message and writes nothing.
// Exit codes: 0 shown, written or nothing to do; 1 no such rollout, an edit the rollout refuses
// (resuming an aborted one), a file that is not valid, or local changes; 2 a bad repository,
// branch, name, wave or option, or five races lost in a row.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <git2.h>

#include "core/git.h"
#include "reconciler/audit/recover.h"
#include "reconciler/cli/commands.h"
#include "reconciler/rollout_cli/line_diff.h"
#include "reconciler/rollout_cli/rollout_edit.h"
#include "reconciler/rollout_cli/rollout_snapshot.h"
#include "reconciler/rollout_cli/status_report.h"
#include "reconciler/rollout_cli/time_left.h"

namespace strata::cli {
namespace {

volatile sig_atomic_t g_stop_watch = 0;
void StopWatch(int) { g_stop_watch = 1; }

struct CommonOptions {
  std::string name;
  std::string repo = ".";
  std::string branch = "main";
};

struct StatusOptions : CommonOptions {
  std::string output = "text";
  bool watch = false;
  std::string interval = "2s";
};

struct EditOptions : CommonOptions {
  rollout_cli::RolloutAction action = rollout_cli::RolloutAction::kPause;
  std::string wave;
  std::string author;
  bool dry_run = false;
};

int Fail(const std::string& command, const Status& s, int code) {
  std::fprintf(stderr, "strata rollout %s: %s\n", command.c_str(), s.message().c_str());
  return code;
}

// NotFound is the rollout here: the repository and the branch are checked first.
int ExitCodeOf(const Status& s) {
  return s.code() == StatusCode::kNotFound || s.code() == StatusCode::kFailedPrecondition
             ? kExitInvalid
             : kExitError;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<git_oid> Head(const Repository& repo, const std::string& branch) {
  Result<git_oid> head = repo.ResolveCommit("refs/heads/" + branch);
  if (!head.ok() && head.status().code() == StatusCode::kNotFound) {
    return Status::InvalidArgument("no branch '" + branch + "' in the repository");
  }
  return head;
}

int RunStatus(const StatusOptions& options) {
  std::optional<int64_t> interval = rollout_cli::ParseIntervalMillis(options.interval);
  if (!interval) {
    return Fail("status",
                Status::InvalidArgument("--interval '" + options.interval +
                                        "': expected a duration like 2s, 500ms or 1m"),
                kExitError);
  }
  Result<Repository> repo = Repository::Open(options.repo);
  if (!repo.ok()) return Fail("status", repo.status(), kExitError);
  bool json = options.output == "json";
  bool terminal = ::isatty(STDOUT_FILENO) != 0;
  if (options.watch) {
    g_stop_watch = 0;
    ::signal(SIGINT, StopWatch);
    ::signal(SIGTERM, StopWatch);
  }
  while (true) {
    Result<git_oid> head = Head(*repo, options.branch);
    if (!head.ok()) return Fail("status", head.status(), kExitError);
    Result<rollout_cli::RolloutSnapshot> snapshot =
        rollout_cli::ReadRollout(*repo, *head, options.name);
    if (!snapshot.ok()) return Fail("status", snapshot.status(), ExitCodeOf(snapshot.status()));
    if (options.watch && terminal) std::printf("\033[H\033[2J");
    if (json) {
      // Watching, one object per line (JSON lines) so that a script can read them as they come.
      std::printf("%s\n", rollout_cli::StatusJson(*snapshot).dump(options.watch ? -1 : 2).c_str());
    } else {
      std::printf("%s", rollout_cli::FormatStatusText(*snapshot, terminal, NowMillis()).c_str());
      if (options.watch && !terminal) std::printf("\n");
    }
    std::fflush(stdout);
    std::string phase = snapshot->progress ? snapshot->progress->phase : "";
    if (!options.watch || phase == "Complete" || phase == "Aborted") return kExitOk;
    for (int64_t slept = 0; slept < *interval && !g_stop_watch; slept += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, *interval)));
    }
    if (g_stop_watch) return kExitOk;
  }
}

int RunEdit(const EditOptions& options) {
  std::string command(rollout_cli::RolloutActionName(options.action));
  Result<Repository> repo = Repository::Open(options.repo);
  if (!repo.ok()) return Fail(command, repo.status(), kExitError);
  if (Result<git_oid> head = Head(*repo, options.branch); !head.ok()) {
    return Fail(command, head.status(), kExitError);
  }
  rollout_cli::EditRequest request{options.name, options.branch, options.action, options.wave};
  if (options.dry_run) {
    Result<rollout_cli::EditPlan> plan = rollout_cli::PlanEdit(*repo, request);
    if (!plan.ok()) return Fail(command, plan.status(), ExitCodeOf(plan.status()));
    if (!plan->nothing_to_do.empty()) {
      std::printf("%s: nothing to do\n", plan->nothing_to_do.c_str());
      return kExitOk;
    }
    std::printf("%s--- commit message\n%s\ndry run: nothing written\n",
                rollout_cli::UnifiedDiff(plan->path, plan->before, plan->after).c_str(),
                plan->message.c_str());
    return kExitOk;
  }
  Result<audit::Author> author =
      options.author.empty() ? audit::AuthorFromConfig(*repo) : audit::ParseAuthor(options.author);
  if (!author.ok()) return Fail(command, author.status(), kExitError);
  Result<rollout_cli::EditOutcome> outcome = rollout_cli::CommitEdit(*repo, request, *author);
  if (!outcome.ok()) return Fail(command, outcome.status(), ExitCodeOf(outcome.status()));
  if (!outcome->plan.nothing_to_do.empty()) {
    std::printf("%s: nothing to do\n", outcome->plan.nothing_to_do.c_str());
    return kExitOk;
  }
  std::string subject = outcome->plan.message.substr(0, outcome->plan.message.find('\n'));
  std::printf("%s: commit %s on %s\n", subject.c_str(), OidToHex(outcome->commit).c_str(),
              options.branch.c_str());
  if (!git_repository_is_bare(repo->raw())) {
    // A clone: the controllers see it once it reaches the fleet repository.
    std::printf("committed in the clone %s: push it (git push) for the rollout controller to see "
                "it, or open a pull request\n",
                options.repo.c_str());
  }
  return kExitOk;
}

void AddCommonOptions(CLI::App* cmd, CommonOptions& options) {
  cmd->add_option("name", options.name, "The rollout: rollouts/NAME.yaml")->required();
  cmd->add_option("--repo", options.repo, "The fleet repository (a clone or the bare repository)")
      ->capture_default_str();
  cmd->add_option("--branch", options.branch, "The fleet branch")->capture_default_str();
}

void AddEditCommand(CLI::App* rollout, int* exit_code, rollout_cli::RolloutAction action,
                    const std::string& description) {
  auto options = std::make_shared<EditOptions>();
  options->action = action;
  CLI::App* cmd =
      rollout->add_subcommand(std::string(rollout_cli::RolloutActionName(action)), description);
  AddCommonOptions(cmd, *options);
  if (action == rollout_cli::RolloutAction::kApprove) {
    cmd->add_option("wave", options->wave, "The wave to approve")->required();
  }
  cmd->add_option("--author", options->author,
                  "\"Name <email>\" of the commit (default: git config user.name/user.email)");
  cmd->add_flag("--dry-run", options->dry_run,
                "Print the change of the file and the commit message; write nothing");
  cmd->callback([=] { *exit_code = RunEdit(*options); });
}

}  // namespace

void AddRolloutCommand(CLI::App& app, int* exit_code) {
  CLI::App* rollout = app.add_subcommand("rollout", "Follow and steer fleet-wide rollouts");
  rollout->require_subcommand(1);

  auto status = std::make_shared<StatusOptions>();
  CLI::App* cmd = rollout->add_subcommand(
      "status", "Where a rollout stands: its waves, the current batch, why it waits, time left");
  AddCommonOptions(cmd, *status);
  cmd->add_option("--output,-o", status->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  CLI::Option* watch =
      cmd->add_flag("--watch", status->watch, "Print again every interval until it ends");
  cmd->add_option("--interval", status->interval, "How often --watch prints (2s, 500ms, 1m)")
      ->capture_default_str()
      ->needs(watch);
  cmd->callback([=] { *exit_code = RunStatus(*status); });

  AddEditCommand(rollout, exit_code, rollout_cli::RolloutAction::kApprove,
                 "Approve a wave that waits for approval");
  AddEditCommand(rollout, exit_code, rollout_cli::RolloutAction::kPause,
                 "Pause: start no new cluster change until resumed");
  AddEditCommand(rollout, exit_code, rollout_cli::RolloutAction::kResume,
                 "Resume, accepting the failures so far");
  AddEditCommand(rollout, exit_code, rollout_cli::RolloutAction::kAbort,
                 "Abort for good: the controller reverts what it released");
}

}  // namespace strata::cli
