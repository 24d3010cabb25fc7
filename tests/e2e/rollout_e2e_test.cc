// End to end: a fleet rollout through real processes. `strata up --separate-processes` runs the
// example fleet (sim agents rolling broker by broker); a person pushes a Kafka version rollout in
// two waves, the second behind an approval. Midway the rollout controller is killed with kill -9
// (its supervisor starts it again, and it carries on from what it wrote to git). The first wave
// goes one cluster at a time with a soak; the rollout then waits for approval, is approved with
// `strata rollout approve`, and completes: every broker of every physical cluster runs the new
// version, no recorded moment had more clusters in flight than its wave allows, and the state
// changes were announced on strata.rollouts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::FreshTestDir;
using ::strata::testing::Sh;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kStrata = STRATA_BINARY;

constexpr std::string_view kRollout = R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata:
  name: kafka-3-9
spec:
  change:
    kafkaVersion: "3.9"
  waves:
    - name: canary
      selector: {skus: [dedicated]}
      percent: 50
      maxConcurrent: 1
      soak: 2s
    - name: rest
      maxConcurrent: 3
      requiresApproval: true
  state: running
)";

class RolloutEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("rollout-e2e");
    up_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kStrata, "--log-level", "info", "up", "--home", Home(),
                                 "--separate-processes", "--port", "0", "--sim-time-scale", "0.02",
                                 "--agent-poll-ms", "500"},
        dir_ + "/up.log");
    ASSERT_TRUE(up_->WaitForLog("the control plane is running", std::chrono::seconds(60)))
        << up_->Log();
  }
  void TearDown() override {
    if (up_ != nullptr) {
      up_->Signal(SIGINT);
      up_->Wait();
    }
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string Home() const { return dir_ + "/home"; }
  std::string Bare() const { return Home() + "/fleet.git"; }
  std::string Git(const std::string& args) { return Sh("git -C " + Bare() + " " + args).out; }
  std::string Progress() { return Git("show main:derived/rollout/progress/kafka-3-9.yaml"); }
  bool ProgressSays(const std::string& text) { return Progress().find(text) != std::string::npos; }

  std::string dir_;
  std::unique_ptr<ChildProcess> up_;
};

// Versions of the progress file, one after the other: the most clusters a wave ever had in
// progress.
std::map<std::string, int> MaxInProgress(const std::string& log) {
  std::map<std::string, int> most;
  std::string wave;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (size_t at = line.find("- name: "); at != std::string::npos) wave = line.substr(at + 8);
    if (size_t at = line.find("inProgress: "); at != std::string::npos && !wave.empty()) {
      most[wave] = std::max(most[wave], std::stoi(line.substr(at + 12)));
    }
  }
  return most;
}

TEST_F(RolloutEndToEndTest, AVersionRolloutGoesWaveByWaveSurvivesKillNineAndCompletes) {
  testing::FleetRepo fleet = testing::FleetRepo::Attach(Bare(), Home() + "/fleet");
  fleet.Remove("rollouts/kafka-3-8.yaml");  // the example's own version rollout (paused)
  fleet.Write("rollouts/kafka-3-9.yaml", kRollout);
  fleet.Push("kafka 3.9");

  // The first cluster of the canary wave is done: kill -9 the rollout controller.
  ASSERT_TRUE(Eventually([&] { return ProgressSays("done: 1\n"); }, std::chrono::seconds(60)))
      << Progress() << up_->Log();
  std::string pattern = "'[c]ontroller rollout --repo " + Bare() + "'";
  ASSERT_EQ(Sh("pkill -9 -f -- " + pattern).code, 0);

  // It comes back and carries on to the approval gate.
  ASSERT_TRUE(
      Eventually([&] { return ProgressSays("waitingFor: Approval"); }, std::chrono::seconds(90)))
      << Progress();
  std::string waiting = Progress();
  EXPECT_THAT(waiting, HasSubstr("reason: \"wave rest waits for approval: strata rollout approve "
                                 "kafka-3-9 rest\""));
  std::string targets = Git("grep -h 'wave: ' main -- derived/rollout/targets");
  EXPECT_THAT(targets, Not(HasSubstr("wave: rest")));
  EXPECT_THAT(targets, HasSubstr("wave: canary"));

  auto approve = Sh(kStrata + " rollout approve kafka-3-9 rest --repo " + Bare() +
                    " --author 'Ada <ada@example.com>'");
  ASSERT_EQ(approve.code, 0) << approve.out;
  ASSERT_TRUE(Eventually([&] { return ProgressSays("phase: Complete"); }, std::chrono::seconds(90)))
      << Progress();

  // Never more in flight than a wave allows, at any recorded moment.
  std::string versions;
  std::istringstream commits(
      Git("log --format=%H main -- derived/rollout/progress/kafka-3-9.yaml"));
  for (std::string commit; std::getline(commits, commit);) {
    versions += Git("show " + commit + ":derived/rollout/progress/kafka-3-9.yaml");
  }
  std::map<std::string, int> most = MaxInProgress(versions);
  EXPECT_EQ(most["canary"], 1);
  EXPECT_GE(most["rest"], 1);
  EXPECT_LE(most["rest"], 3);
  // The supervisor started the killed controller again (and the restart lost nothing: above).
  bool restarted = false;
  std::istringstream log(up_->Log());
  for (std::string line; std::getline(log, line);) {
    restarted |= line.find("rollout exited with") != std::string::npos;
  }
  EXPECT_TRUE(restarted) << up_->Log();

  // Every broker of every physical cluster the satellites run is on 3.9.
  int clusters = 0;
  for (const auto& sat : std::filesystem::directory_iterator(Home() + "/agents")) {
    std::filesystem::path dir = sat.path() / "sim" / "PhysicalKafkaCluster";
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(file.path());
      nlohmann::json state = nlohmann::json::parse(in);
      ++clusters;
      for (const auto& broker : state["brokers"]) {
        EXPECT_EQ(broker["version"], "3.9") << file.path();
      }
    }
  }
  EXPECT_EQ(clusters, 12);

  // The state changes were announced.
  std::ifstream kafka_file(Home() + "/kafka");
  std::string kafka;
  std::getline(kafka_file, kafka);
  auto records = testing::ReadAllRecords(kafka.substr(0, kafka.find(',')), "strata.rollouts");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  std::vector<std::string> phases;
  for (const auto& r : *records) {
    nlohmann::json event = nlohmann::json::parse(r.value);
    if (event["type"] == "dev.strata.rollout.state-changed") {
      phases.push_back(event["data"]["phase"].get<std::string>() + "/" +
                       event["data"]["waitingFor"].get<std::string>());
    }
  }
  EXPECT_THAT(phases, ::testing::Contains("Running/Approval"));
  EXPECT_EQ(phases.back(), "Complete/None");
  EXPECT_EQ(Sh("git -C " + Bare() + " fsck --strict --no-progress").code, 0);
}

}  // namespace
}  // namespace strata
