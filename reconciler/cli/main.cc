// strata: a GitOps control plane for fleets of managed Kafka clusters. One binary, many commands.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "core/log.h"
#include "reconciler/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"strata: desired state for a fleet of Kafka clusters, kept in git"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  std::string log_format = "human";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-format", log_format, "human or json")
      ->check(CLI::IsMember({"human", "json"}))
      ->capture_default_str();
  app.set_version_flag("--version", "strata 0.1.0");

  int exit_code = strata::cli::kExitOk;
  strata::cli::AddValidateCommand(app, &exit_code);
  strata::cli::AddInitCommand(app, &exit_code);
  strata::cli::AddGenCommand(app, &exit_code);
  strata::cli::AddReconcileCommand(app, &exit_code);
  strata::cli::AddHookCommand(app, &exit_code);
  strata::cli::AddEventsCommand(app, &exit_code);
  strata::cli::AddStatusCommand(app, &exit_code);
  strata::cli::AddKafkaCommand(app, &exit_code);
  strata::cli::AddControllerCommand(app, &exit_code);
  strata::cli::AddAgentCommand(app, &exit_code);
  strata::cli::AddKeysCommand(app, &exit_code);
  strata::cli::AddUpCommand(app, &exit_code);
  strata::cli::AddPlanCommand(app, &exit_code);
  strata::cli::AddUsageCommand(app, &exit_code);
  strata::cli::AddHistoryCommand(app, &exit_code);
  strata::cli::AddRecoverCommand(app, &exit_code);
  strata::cli::AddRolloutCommand(app, &exit_code);
  strata::cli::AddDashboardCommand(app, &exit_code);

  app.parse_complete_callback([&] {
    strata::Status s = strata::InitLogging(
        log_format == "json" ? strata::LogFormat::kJson : strata::LogFormat::kHuman, log_level);
    if (!s.ok()) throw CLI::ValidationError("--log-level", s.message());
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : strata::cli::kExitError;
  }
  return exit_code;
}
