// strata agent: the satellite agent (see agents/agent/agent.h), until SIGINT or SIGTERM.
//   strata agent --satellite aws-us-west-2-1 --repo fleet.git --trusted-keys keys/trusted
//                --state-dir /var/lib/strata/aws-us-west-2-1 --driver sim [--kafka HOST:PORT]
// Drivers: sim (with --sim-time-scale, --sim-throttle, --sim-unhealthy-broker), exec (with
// --exec 'kubectl apply -f -'), kafka. Without --kafka the agent polls and reports nothing.
#include <signal.h>

#include <atomic>
#include <cstdio>

#include "agents/agent/agent.h"
#include "agents/exec/exec_driver.h"
#include "agents/kafka/kafka_driver.h"
#include "agents/sim/sim_driver.h"
#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/cli/ops_options.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

struct AgentFlags {
  agent::AgentOptions options;
  std::string driver = "sim";
  int poll_ms = 5000;
  int drift_s = 30;
  double sim_time_scale = 1.0;
  double sim_throttle = 0.0;
  std::vector<std::string> sim_unhealthy;
  std::string exec_command;
};

int RunAgent(AgentFlags flags, const KafkaOptions& kafka, const std::string& ops_listen) {
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "strata agent: %s\n", what.c_str());
    return kExitError;
  };
  if (!kafka.bootstrap.empty() || !kafka.config_file.empty()) {
    Result<KafkaProperties> properties = ResolveKafkaProperties(kafka);
    if (!properties.ok()) return fail(std::string(properties.status().message()));
    flags.options.kafka = *properties;
  }
  flags.options.poll = std::chrono::milliseconds(flags.poll_ms);
  flags.options.drift_interval = std::chrono::seconds(flags.drift_s);
  std::unique_ptr<agent::Driver> driver;
  if (flags.driver == "sim") {
    agent::SimOptions sim;
    sim.state_dir = flags.options.state_dir;
    sim.time_scale = flags.sim_time_scale;
    sim.throttle_rate = flags.sim_throttle;
    sim.unhealthy_brokers.insert(flags.sim_unhealthy.begin(), flags.sim_unhealthy.end());
    driver = agent::MakeSimDriver(std::move(sim));
  } else if (flags.driver == "exec") {
    if (flags.exec_command.empty()) return fail("--driver exec needs --exec COMMAND");
    agent::ExecOptions exec;
    exec.command = flags.exec_command;
    exec.state_dir = flags.options.state_dir;
    exec.satellite = flags.options.satellite;
    driver = agent::MakeExecDriver(std::move(exec));
  } else {
    driver = agent::MakeKafkaDriver();
  }
  Result<std::unique_ptr<agent::Agent>> made = agent::Agent::Create(flags.options, std::move(driver));
  if (!made.ok()) return fail(made.status().ToString());
  auto ops = StartOps(ops_listen, "agent " + flags.options.satellite);
  if (!ops.ok()) return fail(std::string(ops.status().message()));
  if (*ops != nullptr) {
    agent::Agent* a = made->get();
    (*ops)->AddReadinessCheck("agent " + flags.options.satellite, [a] {
      return a->synced() ? Status::Ok() : Status::Unavailable("the first sync has not run yet");
    });
  }
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  std::printf("agent %s started (driver %s)\n", flags.options.satellite.c_str(), flags.driver.c_str());
  std::fflush(stdout);
  Status run = (*made)->Run(g_stop);
  if (!run.ok()) return fail(run.ToString());
  std::fprintf(stderr, "stopped\n");
  return kExitOk;
}

}  // namespace

void AddAgentCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AgentFlags>();
  auto kafka = std::make_shared<KafkaOptions>();
  CLI::App* cmd = app.add_subcommand(
      "agent", "Run a satellite agent: pull the signed slice, apply it, report status");
  cmd->add_option("--satellite", flags->options.satellite, "The satellite id (policy/satellites/<id>.yaml)")
      ->required();
  cmd->add_option("--repo", flags->options.repo_url, "The fleet repo: a path, file://, git:// or https:// URL")
      ->required();
  cmd->add_option("--state-dir", flags->options.state_dir, "Where the agent keeps its progress")
      ->required();
  cmd->add_option("--trusted-keys", flags->options.trusted_keys,
                  "Public keys whose slice signatures are trusted, one per line")
      ->required();
  cmd->add_option("--driver", flags->driver, "sim, exec or kafka")
      ->check(CLI::IsMember({"sim", "exec", "kafka"}))
      ->capture_default_str();
  cmd->add_option("--poll-ms", flags->poll_ms, "How often to fetch without a notice")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  cmd->add_option("--drift-check-s", flags->drift_s, "How often to compare the data plane with desired state")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_option("--sim-time-scale", flags->sim_time_scale,
                  "sim: 1 for realistic timings, 0.1 ten times faster, 0 instant")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--sim-throttle", flags->sim_throttle,
                  "sim: fraction of cloud API calls answered 429")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--sim-unhealthy-broker", flags->sim_unhealthy,
                  "sim: CLUSTER/BROKER_ID that starts but never becomes healthy (repeatable)");
  cmd->add_option("--exec", flags->exec_command,
                  "exec: the command to run per change (manifest on stdin, STRATA_* variables)");
  AddKafkaOptions(cmd, kafka);
  auto ops_listen = AddOpsListenOption(cmd);
  cmd->callback([flags, kafka, ops_listen, exit_code] {
    *exit_code = RunAgent(*flags, *kafka, *ops_listen);
  });
}

}  // namespace strata::cli
