// strata controller NAME… | --all: runs controllers of the layer cake against a fleet repo and
// Kafka until SIGINT/SIGTERM. strata layers: prints the cake (layers, inputs, prefixes).
//
// With several controllers in one process each runs on its own threads, started bottom layer
// first (computed from what they declare), so every consumer listens before its producers write;
// a cycle in the declared graph is refused before anything starts.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/cli/ops_options.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controller/runtime.h"
#include "reconciler/controllers/registry.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

struct ControllerFlags {
  std::vector<std::string> names;
  bool all = false;
  std::string repo;
  std::string branch = "main";
  int linger_ms = 2;
  size_t max_batch = 5000;
  std::string signing_key;
};

Result<controller::LayerCake> Cake() {
  std::vector<controller::ControllerInfo> infos;
  for (const auto& c : controllers::MakeAllControllers()) infos.push_back(c->info());
  return controller::ComputeLayers(infos);
}

int RunControllers(const ControllerFlags& flags, const KafkaOptions& kafka,
                   const std::string& ops_listen) {
  Result<KafkaProperties> properties = ResolveKafkaProperties(kafka);
  if (!properties.ok()) {
    std::fprintf(stderr, "strata controller: %s\n", properties.status().message().c_str());
    return kExitError;
  }
  if (flags.all == !flags.names.empty()) {
    std::fprintf(stderr, "strata controller: name the controllers to run, or give --all\n");
    return kExitError;
  }
  controllers::ControllerConfig config;
  if (!flags.signing_key.empty()) {
    auto key = ssh::SigningKey::Load(flags.signing_key);
    if (!key.ok()) {
      std::fprintf(stderr, "strata controller: %s\n", key.status().message().c_str());
      return kExitError;
    }
    config.signing_key = std::make_shared<const ssh::SigningKey>(std::move(*key));
  }
  if (config.signing_key == nullptr &&
      (flags.all || std::find(flags.names.begin(), flags.names.end(), "sync") != flags.names.end())) {
    std::fprintf(stderr, "strata controller: warning: sync runs without --signing-key; its slice "
                         "commits are unsigned and agents will refuse them\n");
  }
  auto schemas = specs::SchemaSet::LoadEmbedded();
  if (!schemas.ok()) {
    std::fprintf(stderr, "strata controller: %s\n", schemas.status().ToString().c_str());
    return kExitError;
  }
  controller::RuntimeOptions options;
  options.repo = flags.repo;
  options.branch = flags.branch;
  options.kafka = *properties;
  options.linger = std::chrono::milliseconds(flags.linger_ms);
  options.max_batch = flags.max_batch;
  auto made = controllers::MakeRuntimes(flags.all ? std::vector<std::string>{} : flags.names, config,
                                        options, *schemas);
  if (!made.ok()) {
    std::fprintf(stderr, "strata controller: %s\n", made.status().message().c_str());
    return kExitError;
  }
  std::vector<std::unique_ptr<controller::ControllerRuntime>> runtimes = std::move(*made);
  auto ops = StartOps(ops_listen, "controller");
  if (!ops.ok()) {
    std::fprintf(stderr, "strata controller: %s\n", ops.status().message().c_str());
    return kExitError;
  }
  for (const auto& runtime : runtimes) {
    if (*ops == nullptr) break;
    controller::ControllerRuntime* r = runtime.get();
    (*ops)->AddReadinessCheck("controller " + r->controller().info().name, [r] {
      return r->running() ? Status::Ok() : Status::Unavailable("not consuming");
    });
  }
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  std::vector<Status> results(runtimes.size());
  std::vector<std::jthread> threads;
  for (size_t i = 0; i < runtimes.size(); ++i) {
    std::printf("controller %s started\n", runtimes[i]->controller().info().name.c_str());
    std::fflush(stdout);
    threads.emplace_back([&, i] {
      results[i] = runtimes[i]->Run(g_stop);
      g_stop.store(true);  // one failing stops the others: the process is restarted as a whole
    });
  }
  for (auto& t : threads) t.join();
  int code = kExitOk;
  for (size_t i = 0; i < runtimes.size(); ++i) {
    if (!results[i].ok()) {
      std::fprintf(stderr, "strata controller %s: %s\n",
                   runtimes[i]->controller().info().name.c_str(), results[i].ToString().c_str());
      code = kExitError;
    }
  }
  std::fprintf(stderr, "stopped\n");
  return code;
}

int PrintLayers(const std::string& output) {
  auto cake = Cake();
  if (!cake.ok()) {
    std::fprintf(stderr, "strata layers: %s\n", cake.status().message().c_str());
    return kExitError;
  }
  if (output == "json") {
    nlohmann::json layers = nlohmann::json::array();
    for (size_t i = 0; i < cake->layers.size(); ++i) {
      for (const auto& c : cake->layers[i]) {
        layers.push_back({{"layer", i + 1},
                          {"controller", c.name},
                          {"inputs", c.inputs},
                          {"observes", c.observes},
                          {"outputs", c.outputs},
                          {"prefix", c.prefix}});
      }
    }
    std::printf("%s\n", nlohmann::json{{"controllers", layers}, {"startOrder", cake->StartOrder()}}
                            .dump(2)
                            .c_str());
  } else {
    std::printf("%s", controller::FormatLayers(*cake).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddControllerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ControllerFlags>();
  auto kafka = std::make_shared<KafkaOptions>();
  CLI::App* cmd = app.add_subcommand(
      "controller", "Run controllers of the layer cake: commit derived specs back to the fleet repo");
  cmd->add_option("names", flags->names, "Controllers to run (see `strata layers`)");
  cmd->add_flag("--all", flags->all, "Run every controller in this process, bottom layer first");
  cmd->add_option("--repo", flags->repo, "The fleet repository (a local path, bare or not)")
      ->required();
  cmd->add_option("--branch", flags->branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--linger-ms", flags->linger_ms,
                  "How long a batch waits for more changes before it commits")
      ->capture_default_str();
  cmd->add_option("--max-batch", flags->max_batch, "Changes per commit at most")
      ->capture_default_str();
  cmd->add_option("--signing-key", flags->signing_key,
                  "sync: the OpenSSH Ed25519 private key that signs slice commits "
                  "(see `strata keys generate`)");
  AddKafkaOptions(cmd, kafka);
  auto ops_listen = AddOpsListenOption(cmd);
  cmd->callback([flags, kafka, ops_listen, exit_code] {
    *exit_code = RunControllers(*flags, *kafka, *ops_listen);
  });

  auto output = std::make_shared<std::string>("text");
  CLI::App* layers = app.add_subcommand("layers", "Print the layer cake: layers, controllers, inputs and prefixes");
  layers->add_option("-o,--output", *output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  layers->callback([output, exit_code] { *exit_code = PrintLayers(*output); });
}

}  // namespace strata::cli
