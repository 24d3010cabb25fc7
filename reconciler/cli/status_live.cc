#include "reconciler/cli/status_live.h"

#include <cstdio>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/git.h"
#include "core/resource_status.h"
#include "reconciler/cli/commands.h"
#include "reconciler/status/status_board.h"
#include "reconciler/status/status_views.h"

namespace strata::cli {
namespace {

using nlohmann::ordered_json;
using status::StatusBoard;

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

std::string Describe(const ResourceStatus& s) {
  std::string out = s.phase;
  if (s.brokers_desired > 0) {
    out += " " + std::to_string(s.brokers_ready) + "/" + std::to_string(s.brokers_desired) + " brokers";
  }
  if (!s.version.empty()) out += ", Kafka " + s.version;
  if (!s.endpoint.empty()) out += ", endpoint " + s.endpoint;
  out += " on " + s.satellite + " at " + s.observed_at;
  if (!s.fleet_commit.empty()) out += " (fleet commit " + Short(s.fleet_commit) + ")";
  for (const StatusCondition& c : s.conditions) {
    if (!c.status) out += "\n      " + c.reason + ": " + c.message;
  }
  return out;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "strata status: %s\n", s.ToString().c_str());
  return kExitError;
}

int ShowFleet(const StatusBoard& board, bool json) {
  if (json) {
    std::printf("%s\n", status::FleetStatusJson(board).dump(2).c_str());
    return kExitOk;
  }
  std::map<std::string, int> by_phase;
  std::vector<const ResourceStatus*> troubled;
  std::vector<const ResourceStatus*> satellites;
  for (const auto& [key, s] : board.observed) {
    if (key.rfind("Satellite/", 0) == 0) {
      satellites.push_back(&s);
      continue;
    }
    if (s.phase == "Deleted") continue;
    ++by_phase[s.phase];
    if (s.phase != "Ready") troubled.push_back(&s);
  }
  int total = 0;
  std::string phases;
  for (const auto& [phase, n] : by_phase) {
    total += n;
    phases += (phases.empty() ? "" : ", ") + std::to_string(n) + " " + phase;
  }
  std::printf("resources   %d reported%s%s\n", total, phases.empty() ? "" : ": ", phases.c_str());
  for (const auto* s : satellites) {
    std::printf("satellite   %s: %s, slice %s (fleet commit %s), %d resources, at %s\n",
                s->satellite.c_str(), s->phase.c_str(), Short(s->slice_commit).c_str(),
                Short(s->fleet_commit).c_str(), s->resources, s->observed_at.c_str());
    for (const StatusCondition& c : s->conditions) {
      if (!c.status) std::printf("              %s: %s\n", c.reason.c_str(), c.message.c_str());
    }
  }
  for (const auto* s : troubled) std::printf("not ready   %s: %s\n", s->key.c_str(), Describe(*s).c_str());
  for (const auto& [key, e] : board.rejected) {
    for (const auto& err : e.errors) {
      std::printf("rejected    %s by %s: %s:%d: %s: %s\n", key.c_str(),
                  e.controller.empty() ? "the reconciler" : e.controller.c_str(), err.file.c_str(),
                  err.line, err.field.c_str(), err.message.c_str());
    }
  }
  return kExitOk;
}

int ShowKey(const Repository& repo, const git_oid& tree, const StatusBoard& board,
            const std::string& key, bool json) {
  Result<ordered_json> layers = status::ClusterLayers(repo, tree, board, key);
  if (!layers.ok()) return Fail(layers.status());
  const ordered_json& out = *layers;
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s  %s\n", key.c_str(), out["path"].get<std::string>().c_str());
  if (out.contains("rejected")) std::printf("  rejected: %s\n", out["rejected"].get<std::string>().c_str());
  if (out["physical"].empty()) std::printf("  no derived resource yet\n");
  for (const auto& layer : out["physical"]) {
    std::string k = layer["key"];
    std::printf("└─ %s  %s (computed at %s)\n", k.c_str(), layer["path"].get<std::string>().c_str(),
                Short(layer["computedAt"].get<std::string>()).c_str());
    auto seen = board.observed.find(k);
    std::printf("     %s\n", seen == board.observed.end() ? "no status reported yet" : Describe(seen->second).c_str());
    if (layer.contains("k8sCluster")) {
      std::string kk = layer["k8sCluster"]["key"];
      std::printf("   └─ %s  %s\n", kk.c_str(), layer["k8sCluster"]["path"].get<std::string>().c_str());
      auto ks = board.observed.find(kk);
      std::printf("        %s\n", ks == board.observed.end() ? "no status reported yet" : Describe(ks->second).c_str());
      if (layer.contains("satellite")) {
        const ordered_json& sat = layer["satellite"];
        std::printf("      └─ satellite %s: %s, slice %s (fleet commit %s)\n",
                    sat["name"].get<std::string>().c_str(), sat["phase"].get<std::string>().c_str(),
                    Short(sat["sliceCommit"].get<std::string>()).c_str(),
                    Short(sat["fleetCommit"].get<std::string>()).c_str());
      }
    }
  }
  return kExitOk;
}

int ShowCommit(const Repository& repo, const std::string& branch, const git_oid& head,
               const StatusBoard& board, const std::string& revision, bool json) {
  Result<ordered_json> progress = status::ChangeProgress(repo, branch, head, board, revision);
  if (!progress.ok()) return Fail(progress.status());
  const ordered_json& out = *progress;
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("commit      %s\n", Short(out["commit"].get<std::string>()).c_str());
  std::printf("published   %s\n", out["published"].get<bool>() ? "yes" : "not yet");
  for (const auto& c : out["controllers"]) {
    std::printf("controller  %s committed %s: %s\n", c["controller"].get<std::string>().c_str(),
                Short(c["commit"].get<std::string>()).c_str(), c["summary"].get<std::string>().c_str());
  }
  if (out["controllers"].empty()) std::printf("controller  no controller commit has followed from it yet\n");
  for (const auto& s : out["satellites"]) {
    std::string sat = s["satellite"];
    if (s["applied"].get<bool>()) {
      std::printf("satellite   applied on %s at %s (slice %s)\n", sat.c_str(), s["at"].get<std::string>().c_str(),
                  Short(s["sliceCommit"].get<std::string>()).c_str());
    } else {
      std::printf("satellite   %s: not yet applied\n", sat.c_str());
    }
  }
  return kExitOk;
}

}  // namespace

int ShowLive(const LiveStatusRequest& request) {
  Result<Repository> repo = Repository::Open(request.repo);
  if (!repo.ok()) return Fail(repo.status());
  Result<git_oid> head = repo->ResolveCommit("refs/heads/" + request.branch);
  if (!head.ok()) return Fail(head.status());
  Result<StatusBoard> board = status::ReadStatusBoard(request.kafka);
  if (!board.ok()) return Fail(board.status());
  if (!request.commit.empty()) return ShowCommit(*repo, request.branch, *head, *board, request.commit, request.json);
  if (!request.key.empty()) {
    Result<git_oid> tree = repo->TreeOfCommit(*head);
    if (!tree.ok()) return Fail(tree.status());
    return ShowKey(*repo, *tree, *board, request.key, request.json);
  }
  return ShowFleet(*board, request.json);
}

}  // namespace strata::cli
