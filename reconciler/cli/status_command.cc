// strata status: where the reconciler stands on a fleet branch — the branch head, the commit the
// checkpoint has reached, how many commits are still to publish, the last sequence number, and the
// commits it had to skip. With --kafka it adds what the agents report on strata.status:
//   strata status --kafka K                the fleet: resources by phase, everything not Ready
//   strata status --kafka K KEY            one logical cluster down the layers (logical → physical
//                                          → Kubernetes cluster → satellite), each with its phase
//   strata status --up HOME [KEY]          the same for a running `strata up` (its repo and Kafka)
//   strata status --kafka K --commit SHA   "is my change live?": published, the controller commits
//                                          it caused, and the satellites that have applied it
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/git.h"
#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/cli/status_live.h"
#include "reconciler/cli/up_state.h"
#include "reconciler/reconcile/checkpoint.h"

namespace strata::cli {
namespace {

int Show(const std::string& repo_path, const std::string& branch, bool json) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "strata status: %s\n", s.ToString().c_str());
    return kExitError;
  };
  auto repo = Repository::Open(repo_path);
  if (!repo.ok()) return fail(repo.status());
  auto head = repo->ResolveCommit("refs/heads/" + branch);
  if (!head.ok()) return fail(head.status());
  auto checkpoint = reconcile::ReadCheckpoint(*repo, branch);
  if (!checkpoint.ok()) return fail(checkpoint.status());
  std::string head_hex = OidToHex(*head);
  std::string at = checkpoint->exists ? OidToHex(checkpoint->commit) : "";
  long behind = -1;  // -1: not on the branch (a force push not yet published) or no checkpoint
  if (checkpoint->exists) {
    auto line = repo->FirstParentRange(checkpoint->commit, *head);
    if (line.ok()) behind = static_cast<long>(line->size());
  }
  if (json) {
    nlohmann::ordered_json out;
    out["branch"] = branch;
    out["head"] = head_hex;
    out["reconciled"] = at;
    out["behind"] = behind;
    out["sequence"] = checkpoint->sequence;
    out["skipped"] = checkpoint->skipped;
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("branch      %s at %s\n", branch.c_str(), head_hex.substr(0, 12).c_str());
  if (!checkpoint->exists) {
    std::printf("reconciled  nothing yet: the next reconcile publishes the whole fleet\n");
  } else if (behind == 0) {
    std::printf("reconciled  up to date (sequence %llu)\n",
                static_cast<unsigned long long>(checkpoint->sequence));
  } else if (behind > 0) {
    std::printf("reconciled  %s, %ld commit%s behind (sequence %llu)\n", at.substr(0, 12).c_str(),
                behind, behind == 1 ? "" : "s", static_cast<unsigned long long>(checkpoint->sequence));
  } else {
    std::printf("reconciled  %s, which is no longer on %s (force push); the next reconcile "
                "publishes the net change\n", at.substr(0, 12).c_str(), branch.c_str());
  }
  for (const auto& s : checkpoint->skipped) {
    std::printf("skipped     %s: could not be read; its changes went out with a later commit\n",
                s.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App& app, int* exit_code) {
  auto repo = std::make_shared<std::string>();
  auto branch = std::make_shared<std::string>("main");
  auto output = std::make_shared<std::string>("human");
  auto kafka = std::make_shared<KafkaOptions>();
  auto key = std::make_shared<std::string>();
  auto commit = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("status", "Show how far the fleet branch is published");
  auto up_home = std::make_shared<std::string>();
  cmd->add_option("--repo", *repo, "The fleet repository (or the reconciler's mirror)");
  cmd->add_option("--up", *up_home,
                  "The home of a running `strata up`: its fleet repository and Kafka, instead of "
                  "--repo and --kafka");
  CLI::Option* branch_option =
      cmd->add_option("--branch", *branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--output,-o", *output, "human or json")
      ->check(CLI::IsMember({"human", "json"}))
      ->capture_default_str();
  cmd->add_option("key", *key, "A logical cluster: KafkaCluster/ORG/NAME (needs --kafka)");
  cmd->add_option("--commit", *commit, "A fleet commit: where its change has got to (needs --kafka)");
  AddKafkaOptions(cmd, kafka);
  cmd->callback([=] {
    bool json = *output == "json";
    if (!up_home->empty()) {
      // What a running strata up wrote; flags given on the command line win.
      Result<UpState> state = ReadUpState(*up_home);
      if (!state.ok()) {
        std::fprintf(stderr, "strata status: %s\n", state.status().message().c_str());
        *exit_code = kExitError;
        return;
      }
      if (repo->empty()) *repo = state->fleet_repo;
      if (kafka->bootstrap.empty()) kafka->bootstrap = state->kafka;
      if (kafka->config_file.empty()) kafka->config_file = state->kafka_config;
      if (branch_option->count() == 0) *branch = state->branch;
    }
    if (repo->empty()) {
      std::fprintf(stderr, "strata status: give --repo (or --up with the home of a strata up)\n");
      *exit_code = kExitError;
      return;
    }
    if (kafka->bootstrap.empty() && kafka->config_file.empty()) {
      if (!key->empty() || !commit->empty()) {
        std::fprintf(stderr, "strata status: a KEY or --commit needs --kafka, where agents report\n");
        *exit_code = kExitError;
        return;
      }
      *exit_code = Show(*repo, *branch, json);
      return;
    }
    auto properties = ResolveKafkaProperties(*kafka);
    if (!properties.ok()) {
      std::fprintf(stderr, "strata status: %s\n", properties.status().message().c_str());
      *exit_code = kExitError;
      return;
    }
    *exit_code = ShowLive({*repo, *branch, *properties, *key, *commit, json});
  });
}

}  // namespace strata::cli
