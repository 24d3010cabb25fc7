// strata dashboard: the fleet dashboard in the browser, on its own (strata up starts one too).
//   strata dashboard --repo R --kafka K            http://127.0.0.1:7080/
//   strata dashboard --up HOME                      the repo and Kafka of a running strata up (on a
//                                                   free port unless --port: up has 7080)
//   strata dashboard --host 0.0.0.0 --token-file F  reachable from elsewhere, behind the token in F
//                                                   (without --token-file one is made and printed)
// Runs until Ctrl-C. Read-only: it changes nothing, in git or in Kafka.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/cli/up_state.h"
#include "reconciler/dashboard/dashboard.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

// The first line of `path`, trimmed; kInvalidArgument when it cannot be read or is empty.
Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) return Status::InvalidArgument("cannot read the token file " + path);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Status::InvalidArgument("the token file " + path + " is empty");
  return token;
}

}  // namespace

void AddDashboardCommand(CLI::App& app, int* exit_code) {
  auto config = std::make_shared<dashboard::DashboardConfig>();
  auto kafka = std::make_shared<KafkaOptions>();
  auto up_home = std::make_shared<std::string>();
  auto token_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "dashboard", "Serve the fleet dashboard in the browser: the fleet, each cluster's layers, "
                   "where a change has got to, rollouts (read-only)");
  cmd->add_option("--repo", config->repo, "The fleet repository");
  cmd->add_option("--up", *up_home, "The home of a running `strata up`: its repo and Kafka");
  CLI::Option* branch = cmd->add_option("--branch", config->branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--host", config->http.host,
                  "Where to listen; any address but a loopback one needs a token")
      ->capture_default_str();
  CLI::Option* port = cmd->add_option("--port", config->http.port, "0: any free port (the default with --up)")
                          ->check(CLI::Range(0, 65535))
                          ->capture_default_str();
  cmd->add_option("--token-file", *token_file,
                  "The access token, on the file's first line (default: none on loopback, a new "
                  "one printed elsewhere)");
  AddKafkaOptions(cmd, kafka);
  cmd->callback([=] {
    auto fail = [exit_code](const std::string& message) {
      std::fprintf(stderr, "strata dashboard: %s\n", message.c_str());
      *exit_code = kExitError;
    };
    if (!up_home->empty()) {
      Result<UpState> state = ReadUpState(*up_home);
      if (!state.ok()) return fail(state.status().message());
      if (config->repo.empty()) config->repo = state->fleet_repo;
      if (kafka->bootstrap.empty()) kafka->bootstrap = state->kafka;
      if (kafka->config_file.empty()) kafka->config_file = state->kafka_config;
      if (branch->count() == 0) config->branch = state->branch;
      if (port->count() == 0) config->http.port = 0;  // that strata up serves its own on 7080
    }
    if (config->repo.empty()) return fail("give --repo (or --up with the home of a strata up)");
    Result<KafkaProperties> properties = ResolveKafkaProperties(*kafka);
    if (!properties.ok()) return fail(properties.status().message() + " (or give --up)");
    config->kafka = *properties;
    if (!token_file->empty()) {
      Result<std::string> token = ReadToken(*token_file);
      if (!token.ok()) return fail(token.status().message());
      config->http.token = *token;
    }
    Result<std::unique_ptr<dashboard::Dashboard>> board = dashboard::Dashboard::Start(*config);
    if (!board.ok()) return fail(board.status().ToString());
    ::signal(SIGINT, OnStopSignal);
    ::signal(SIGTERM, OnStopSignal);
    std::printf("strata dashboard: %s (branch %s of %s); Ctrl-C stops\n", (*board)->url().c_str(),
                config->branch.c_str(), config->repo.c_str());
    std::fflush(stdout);
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
}

}  // namespace strata::cli
