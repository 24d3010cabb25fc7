// The subcommands of the `strata` binary. Each Add*Command registers its options on `app` and,
// when it runs, stores its process exit code in `*exit_code`:
//   0 success (valid), 1 the input is invalid, 2 usage or I/O error.
#pragma once

#include <CLI/CLI.hpp>

namespace strata::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitError = 2;

void AddValidateCommand(CLI::App& app, int* exit_code);
void AddInitCommand(CLI::App& app, int* exit_code);
void AddGenCommand(CLI::App& app, int* exit_code);
void AddReconcileCommand(CLI::App& app, int* exit_code);
void AddHookCommand(CLI::App& app, int* exit_code);
void AddEventsCommand(CLI::App& app, int* exit_code);
void AddStatusCommand(CLI::App& app, int* exit_code);
void AddKafkaCommand(CLI::App& app, int* exit_code);
// `strata controller` and `strata layers`.
void AddControllerCommand(CLI::App& app, int* exit_code);
void AddAgentCommand(CLI::App& app, int* exit_code);
void AddKeysCommand(CLI::App& app, int* exit_code);
void AddUpCommand(CLI::App& app, int* exit_code);
// `strata plan`: exit 3 when the pull request changes something downstream.
void AddPlanCommand(CLI::App& app, int* exit_code);
// `strata usage`: cluster-hours and CKU-hours from the branch's history (the billing view).
void AddUsageCommand(CLI::App& app, int* exit_code);
// `strata history KEY`: exit 1 when the key has no history on the branch.
void AddHistoryCommand(CLI::App& app, int* exit_code);
// `strata recover KEY`: a dry run unless --commit.
void AddRecoverCommand(CLI::App& app, int* exit_code);
// `strata rollout status|approve|pause|resume|abort`: exit 1 when there is no such rollout.
void AddRolloutCommand(CLI::App& app, int* exit_code);
// strata dashboard: the fleet dashboard in the browser (see dashboard_command.cc).
void AddDashboardCommand(CLI::App& app, int* exit_code);

}  // namespace strata::cli
