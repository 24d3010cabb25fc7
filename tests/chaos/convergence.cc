#include "tests/chaos/convergence.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "agents/agent/agent_state.h"
#include "core/git.h"
#include "core/test_support.h"
#include "reconciler/controllers/in_process_cake.h"
#include "reconciler/reconcile/checkpoint.h"
#include "tests/support/controller_lag.h"

namespace strata::chaos {
namespace {

namespace fs = std::filesystem;
using testing::Sh;

std::string Short(const std::string& hex) { return hex.substr(0, 10); }

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Whether `commit` is in the history of `head` (false when either is unknown).
bool Reaches(const Repository& repo, const std::string& head, const std::string& commit) {
  git_oid h{}, c{};
  if (head.empty() || git_oid_fromstr(&h, head.c_str()) != 0 ||
      git_oid_fromstr(&c, commit.c_str()) != 0) {
    return false;
  }
  auto descends = repo.Descends(h, c);
  return descends.ok() && *descends;
}

// The agent's view of its own slice against main's, and its simulated data plane against the slice.
void CheckSatellite(const ChaosFleet& fleet, const Repository& repo, const git_oid& main_tree,
                    const std::string& satellite, ConvergenceFigures* figures,
                    std::vector<std::string>* failures) {
  const std::string agent_dir = fleet.home + "/agents/" + satellite;
  auto tip = repo.ReadRef("refs/heads/satellites/" + satellite);
  auto state = agent::DecodeAgentState(ReadText(agent_dir + "/agent.json"));
  if (!tip.ok() || !state.ok()) {
    failures->push_back(satellite + ": no slice ref or no readable agent.json");
    return;
  }
  if (!git_oid_equal(&state->applied, &*tip)) {
    failures->push_back(satellite + ": the agent applied " + Short(OidToHex(state->applied)) +
                        ", its ref is at " + Short(OidToHex(*tip)));
  }
  auto slice_tree = repo.TreeOfCommit(*tip);
  auto main_slice = repo.SubtreeAt(main_tree, "satellites/" + satellite);
  if (!slice_tree.ok() || !main_slice.ok() || !git_oid_equal(&*slice_tree, &*main_slice)) {
    failures->push_back(satellite + ": its slice ref's tree is not main's satellites/" + satellite);
    return;
  }
  auto files = repo.ListFiles(*slice_tree);
  if (!files.ok()) return;
  std::set<std::string> expected;
  for (const TreeFile& file : *files) {
    auto blob = repo.ReadBlob(file.oid);
    if (!blob.ok()) continue;
    std::string name;
    std::string version;
    int brokers = 0;
    try {
      YAML::Node entry = YAML::Load(*blob);
      YAML::Node doc = entry["spec"]["resource"];
      if (!doc.IsMap() || doc["kind"].as<std::string>("") != "PhysicalKafkaCluster") continue;
      name = doc["metadata"]["name"].as<std::string>("");
      brokers = doc["spec"]["brokers"].as<int>(0);
      version = doc["spec"]["kafkaVersion"].as<std::string>("");
    } catch (const YAML::Exception& e) {
      failures->push_back(satellite + ": " + file.path + " does not parse: " + e.what());
      continue;
    }
    expected.insert(name);
    ++figures->kafka_clusters_on_data_plane;
    nlohmann::json sim = nlohmann::json::parse(
        ReadText(agent_dir + "/sim/PhysicalKafkaCluster/" + name + ".json"), nullptr, false);
    const nlohmann::json& running = sim.is_object() ? sim["brokers"] : nlohmann::json();
    int ready = 0;
    for (const auto& b : running.is_array() ? running : nlohmann::json::array()) {
      ready += b.value("state", "") == "ready" && b.value("version", "") == version ? 1 : 0;
    }
    if (!running.is_array() || static_cast<int>(running.size()) != brokers || ready != brokers) {
      failures->push_back(satellite + ": " + name + " runs " + std::to_string(ready) + " of " +
                          std::to_string(brokers) + " brokers ready on " + version);
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(agent_dir + "/sim/PhysicalKafkaCluster", ec)) {
    std::string name = entry.path().stem().string();
    if (expected.count(name) == 0) {
      failures->push_back(satellite + ": " + name + " still runs, though its slice no longer has it");
    }
  }
}

}  // namespace

bool WaitForConvergence(const ChaosFleet& fleet, const InvariantChecker& checker,
                        Clock::time_point deadline, std::string* missing) {
  auto repo = Repository::Open(fleet.bare);
  if (!repo.ok()) {
    *missing = repo.status().ToString();
    return false;
  }
  testing::ControllerLag lag(fleet.kafka);
  std::string head_seen;
  Clock::time_point still_since = Clock::now();
  Clock::time_point next_report = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (Clock::now() >= next_report && !missing->empty()) {
      std::printf("  … waiting: %s\n", missing->c_str());
      std::fflush(stdout);
      next_report = Clock::now() + std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto head = repo->ResolveCommit("refs/heads/main");
    if (!head.ok()) continue;
    if (OidToHex(*head) != head_seen) {
      head_seen = OidToHex(*head);
      still_since = Clock::now();
    }
    if (Clock::now() - still_since < std::chrono::seconds(3)) {
      *missing = "main is still moving";
      continue;
    }
    auto checkpoint = reconcile::ReadCheckpoint(*repo, "main");
    if (!checkpoint.ok() || !checkpoint->exists || OidToHex(checkpoint->commit) != head_seen) {
      *missing = "the reconciler has not published main's head " + Short(head_seen);
      continue;
    }
    if (!lag.CaughtUp()) {
      *missing = "a controller is behind on its topics";
      continue;
    }
    std::map<std::string, ResourceStatus> latest = checker.latest();
    missing->clear();
    for (const std::string& satellite : fleet.satellites) {
      auto tip = repo->ReadRef("refs/heads/satellites/" + satellite);
      auto status = latest.find("Satellite/" + satellite);
      if (tip.ok() && (status == latest.end() || status->second.phase != "Ready" ||
                       status->second.slice_commit != OidToHex(*tip))) {
        *missing += (missing->empty() ? "not yet applied by the agents of " : ", ") + satellite;
      }
    }
    if (missing->empty()) return true;
  }
  return false;
}

std::vector<std::string> CheckConverged(const ChaosFleet& fleet, const InvariantChecker& checker,
                                        const std::vector<PushedChange>& changes,
                                        const std::vector<ForcePush>& force_pushes,
                                        ConvergenceFigures* figures) {
  std::vector<std::string> failures;
  auto repo = Repository::Open(fleet.bare);
  if (!repo.ok()) return {repo.status().ToString()};
  auto head = repo->ResolveCommit("refs/heads/main");
  auto main_tree = head.ok() ? repo->TreeOfCommit(*head) : Result<git_oid>(head.status());
  if (!main_tree.ok()) return {"main cannot be read: " + main_tree.status().ToString()};

  // The derived state is what the controllers make of the final commit.
  const std::string mirror = fleet.scratch + "/fixed-point.git";
  fs::remove_all(mirror);
  Sh("git clone -q --mirror " + fleet.bare + " " + mirror);
  auto cake = controllers::InProcessCake::Create(mirror);
  if (!cake.ok()) return {"the in-process controllers cannot start: " + cake.status().ToString()};
  auto settled = (*cake)->Settle();
  if (!settled.ok()) {
    failures.push_back("the controllers do not settle on the final commit: " + settled.status().ToString());
  } else {
    for (const auto& [controller, commits] : *settled) {
      if (commits == 0) continue;
      auto diff = Sh("git -C " + mirror + " diff --stat " + OidToHex(*head) + " main | tail -n 5");
      failures.push_back("controller " + controller + " would still commit on the final fleet: " + diff.out);
    }
  }
  if (auto files = repo->ListFiles(*main_tree); files.ok()) {
    figures->fixed_point_files = static_cast<int>(files->size());
  }

  for (const std::string& satellite : fleet.satellites) {
    CheckSatellite(fleet, *repo, *main_tree, satellite, figures, &failures);
    ++figures->satellites;
    auto fsck = Sh("git -C " + fleet.home + "/agents/" + satellite + "/repo.git fsck --no-progress");
    if (fsck.code != 0) failures.push_back("git fsck of " + satellite + "'s repository: " + fsck.out);
  }
  auto fsck = Sh("git -C " + fleet.bare + " fsck --no-progress");
  if (fsck.code != 0) failures.push_back("git fsck of the fleet repo: " + fsck.out);

  // Every invalid change was reported rejected, by the reconciler (a file that does not load or
  // that its schema refuses) or by a controller (a rule across files: residency), for its commit.
  std::map<std::string, std::set<std::string>> rejected = checker.rejections();
  for (const PushedChange& change : changes) {
    if (change.valid) continue;
    ++figures->rejections_checked;
    const std::set<std::string>& commits = rejected[change.key];
    // The reconciler names the commit it rejects; a controller, the head it judged the fleet at,
    // which must hold the change.
    bool reported = commits.count(change.commit) != 0;
    if (change.what == "invalid-residency") {
      for (const std::string& judged : commits) reported = reported || Reaches(*repo, judged, change.commit);
    }
    if (reported) continue;
    bool folded = false;
    for (const ForcePush& push : force_pushes) {
      folded = folded || (Reaches(*repo, push.head, change.commit) &&
                          !Reaches(*repo, push.published, change.commit));
    }
    // Published only as part of a net difference (full state, never a delta), which may already
    // hold its fix: nothing to reject then.
    if (folded) {
      ++figures->rejections_folded;
      continue;
    }
    failures.push_back("the " + change.what + " of " + change.key + " in " + Short(change.commit) +
                       " was never reported rejected");
  }
  return failures;
}

}  // namespace strata::chaos
