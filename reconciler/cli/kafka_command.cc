// strata kafka serve: the embedded Kafka on its own — librdkafka's mock cluster, a real
// Kafka-protocol broker set on loopback that kcat and any client can use — for trying strata by
// hand and for benchmarks. It prints the bootstrap servers and runs until SIGINT or SIGTERM.
// Everything lives in memory: it is gone when the process ends (the reconciler rebuilds it from git).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/mock_kafka.h"
#include "specs/kinds.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

void AddKafkaCommand(CLI::App& app, int* exit_code) {
  CLI::App* kafka = app.add_subcommand("kafka", "The embedded Kafka (librdkafka's mock cluster)");
  kafka->require_subcommand(1);
  auto brokers = std::make_shared<int>(3);
  CLI::App* serve = kafka->add_subcommand("serve", "Run an embedded Kafka on loopback until stopped");
  serve->add_option("--brokers", *brokers, "How many brokers")->check(CLI::Range(1, 9))->capture_default_str();
  serve->callback([=] {
    auto cluster = MockKafka::Start(*brokers);
    if (!cluster.ok()) {
      std::fprintf(stderr, "strata kafka serve: %s\n", cluster.status().ToString().c_str());
      *exit_code = kExitError;
      return;
    }
    std::vector<std::string> kinds;
    for (const auto& kind : specs::AllKinds()) kinds.emplace_back(kind.name);
    if (Status s = (*cluster)->CreateStrataTopics(kinds); !s.ok()) {
      std::fprintf(stderr, "strata kafka serve: %s\n", s.ToString().c_str());
      *exit_code = kExitError;
      return;
    }
    ::signal(SIGINT, OnStopSignal);
    ::signal(SIGTERM, OnStopSignal);
    std::printf("%s\n", (*cluster)->bootstrap_servers().c_str());
    std::fflush(stdout);
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
}

}  // namespace strata::cli
