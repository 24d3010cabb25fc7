// strata gen fleet: a synthetic, valid fleet written straight into a git repository.
#include <chrono>
#include <cstdio>

#include "examples/generator/fleet_generator.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {

void AddGenCommand(CLI::App& app, int* exit_code) {
  CLI::App* gen = app.add_subcommand("gen", "Generate synthetic data for tests and benchmarks");
  gen->require_subcommand(1);
  CLI::App* fleet = gen->add_subcommand("fleet", "Commit a synthetic fleet to a repository");
  auto shape = std::make_shared<examples::FleetShape>();
  auto repo = std::make_shared<std::string>();
  auto branch = std::make_shared<std::string>("main");
  auto bare = std::make_shared<bool>(false);
  fleet->add_option("--repo", *repo, "Repository (created when missing)")->required();
  fleet->add_option("--clusters", shape->clusters, "Kafka clusters")->capture_default_str()
      ->check(CLI::Range(0, 10'000'000));
  fleet->add_option("--orgs", shape->orgs, "Organisations")->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  fleet->add_option("--seed", shape->seed, "Random seed")->capture_default_str();
  fleet->add_option("--dedicated-percent", shape->dedicated_percent,
                    "Dedicated clusters per hundred, in steps of 10 (each its own physical cluster)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  fleet->add_option("--branch", *branch, "Branch to commit to")->capture_default_str();
  fleet->add_flag("--bare", *bare, "Create the repository bare");
  fleet->callback([=] {
    auto start = std::chrono::steady_clock::now();
    Result<examples::GeneratedFleet> out =
        examples::WriteFleetToRepo(*repo, *shape, *branch, *bare);
    if (!out.ok()) {
      std::fprintf(stderr, "strata gen fleet: %s\n", out.status().message().c_str());
      *exit_code = kExitError;
      return;
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %zu files, %d clusters, commit %s (%.2f s)\n", repo->c_str(), out->files,
                shape->clusters, out->commit.c_str(), seconds);
  });
}

}  // namespace strata::cli
