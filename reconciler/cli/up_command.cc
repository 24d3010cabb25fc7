// strata up: the whole control plane on one machine (see reconciler/up/up.h) until Ctrl-C.
//   strata up                         the example fleet in ./strata-up, embedded Kafka, one process
//   strata up --separate-processes    each part its own `strata` process, as deployed
//   strata up --fleet DIR --home DIR --kafka HOST:PORT --port N --sim-time-scale 0
//   strata up --dashboard-port 8080   the dashboard elsewhere than http://127.0.0.1:7080/
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "core/log.h"
#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/up/up.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
// The first Ctrl-C (or SIGTERM, SIGHUP) stops every part cleanly; a second one ends strata up at
// once, and its child processes with it (they die with their parent).
void OnStopSignal(int) {
  if (g_stop.exchange(true)) ::_exit(130);
}

}  // namespace

void AddUpCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<up::UpOptions>();
  auto kafka = std::make_shared<KafkaOptions>();
  auto agent_poll_ms = std::make_shared<int>(2000);
  CLI::App* cmd = app.add_subcommand(
      "up", "Run the whole control plane on this machine: Kafka, the fleet repo, the reconciler, "
            "every controller, an agent per satellite");
  cmd->add_option("--home", options->home,
                  "Where everything is kept: the fleet repo and its clone, keys, agent state, logs")
      ->capture_default_str();
  cmd->add_option("--fleet", options->fleet,
                  "An existing fleet repository to run on (default: <home>/fleet.git, made from the "
                  "example fleet)");
  cmd->add_option("--branch", options->branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--port", options->port,
                  "The operator's endpoint (/metrics, /healthz, /readyz); with "
                  "--separate-processes each part takes one of the following ports; 0: any free")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  CLI::Option* dashboard_port =
      cmd->add_option("--dashboard-port", options->dashboard_port,
                      "The fleet dashboard in the browser, on 127.0.0.1; 0: any free port (the "
                      "default with --port 0); -1: none")
          ->check(CLI::Range(-1, 65535))
          ->capture_default_str();
  cmd->add_flag("--separate-processes", options->separate_processes,
                "Run each part as its own strata process, supervised");
  cmd->add_option("--sim-time-scale", options->sim_time_scale,
                  "The agents' simulated cloud: 1 realistic timings, 0 instant")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--agent-poll-ms", *agent_poll_ms,
                  "How often agents fetch without a notice")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  cmd->add_option("--kafka", kafka->bootstrap,
                  "Use this Kafka (HOST:PORT) instead of the embedded one; topics must exist");
  cmd->add_option("--kafka-config", kafka->config_file,
                  "librdkafka properties for --kafka, one key=value per line");
  cmd->callback([options, kafka, agent_poll_ms, dashboard_port, exit_code] {
    // Free ports asked for the operator's endpoint: the dashboard too, so that two can run.
    if (options->port == 0 && dashboard_port->count() == 0) options->dashboard_port = 0;
    if (!kafka->bootstrap.empty() || !kafka->config_file.empty()) {
      Result<KafkaProperties> properties = ResolveKafkaProperties(*kafka);
      if (!properties.ok()) {
        std::fprintf(stderr, "strata up: %s\n", properties.status().message().c_str());
        *exit_code = kExitError;
        return;
      }
      options->kafka = *properties;
      options->kafka_config_file = kafka->config_file;
    }
    options->agent_poll = std::chrono::milliseconds(*agent_poll_ms);
    options->log_level = CurrentLogLevel();
    options->log_format = CurrentLogFormat() == LogFormat::kJson ? "json" : "human";
    ::signal(SIGINT, OnStopSignal);
    ::signal(SIGTERM, OnStopSignal);
    ::signal(SIGHUP, OnStopSignal);
    ::signal(SIGPIPE, SIG_IGN);
    Status s = up::RunUp(*options, g_stop, stdout);
    if (!s.ok()) {
      std::fprintf(stderr, "strata up: %s\n", s.ToString().c_str());
      *exit_code = kExitError;
    }
  });
}

}  // namespace strata::cli
