// The rollout controller with pkc on a real fleet repository (the example fleet, pushed from a
// working clone), run in-process without Kafka: the test plays the agents by handing the
// controller the statuses they would publish, and moves the clock by hand.
#include "reconciler/controllers/rollout_controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "core/topic_snapshot.h"
#include "reconciler/rollout/time_text.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata::controllers {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int64_t kStart = 1'800'000'000'000;

// Dedicated clusters of the example fleet on AWS and elsewhere, plus the shared ones.
constexpr std::string_view kRollout = R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata:
  name: kafka-39
spec:
  change:
    kafkaVersion: "3.9"
  selector:
    skus: [dedicated]
  waves:
    - name: aws
      selector: {clouds: [aws]}
      maxConcurrent: 2
      soak: 10m
    - name: rest
      maxConcurrent: 1
      requiresApproval: true
  state: running
)";

class RolloutControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("rollout-controller");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    fleet_->Remove("rollouts/kafka-3-8.yaml");  // the example's own (paused) version rollout
    fleet_->Push("no example rollout");
    ControllerConfig config;
    config.now_ms = [this] { return now_; };
    auto cake = LayerCake::Create(fleet_->bare(), {"pkc", "rollout"}, "main", config);
    ASSERT_THAT(cake.status(), IsOk());
    cake_ = std::move(*cake);
    ASSERT_THAT(cake_->Settle().status(), IsOk());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RolloutController& controller() {
    return static_cast<RolloutController&>(cake_->runtime("rollout").controller());
  }
  std::string Show(const std::string& path) { return fleet_->Git("show main:" + path); }
  std::vector<std::string> Files(const std::string& dir) {
    std::string out = fleet_->Git("ls-tree -r --name-only main " + dir);
    std::vector<std::string> files;
    for (size_t at = 0; at < out.size();) {
      size_t end = out.find('\n', at);
      if (end == std::string::npos) end = out.size();
      if (end > at) files.push_back(out.substr(at, end - at));
      at = end + 1;
    }
    return files;
  }
  // Settles the cake and then has the rollout controller look again (as its requeue would).
  void Pass() {
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    std::vector<std::string> paths;
    for (const std::string& f : Files("rollouts")) paths.push_back(f);
    ASSERT_THAT(cake_->runtime("rollout").ProcessBatch(paths, {}).status(), IsOk());
    ASSERT_THAT(cake_->Settle().status(), IsOk());
  }
  // The agents: every physical cluster carrying a release reports it in `phase`; returns the
  // rollouts the controller asked to look at again.
  std::set<std::string> Report(const std::string& phase = "Ready",
                               const std::set<std::string>& only = {}) {
    std::set<std::string> woken;
    for (const std::string& path : Files("derived/pkc")) {
      std::string doc = Show(path);
      size_t at = doc.find("strata.dev/release: ");
      if (at == std::string::npos) continue;
      std::string name = path.substr(path.rfind('/') + 1);
      name = name.substr(0, name.size() - 5);
      if (!only.empty() && only.count(name) == 0) continue;
      ResourceStatus s;
      s.key = "PhysicalKafkaCluster/" + name;
      s.phase = phase;
      s.release = doc.substr(at + 20, doc.find('\n', at) - at - 20);
      if (phase != "Ready")
        s.conditions.push_back({"Healthy", false, "BrokerUnhealthy", "broker 1 is not healthy"});
      for (const std::string& p : controller().OnStatus(s)) woken.insert(p);
    }
    return woken;
  }
  std::string Field(const std::string& doc, const std::string& key) {
    size_t at = doc.find(key + ": ");
    if (at == std::string::npos) return "";
    size_t start = at + key.size() + 2;
    return doc.substr(start, doc.find('\n', start) - start);
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<LayerCake> cake_;
  int64_t now_ = kStart;
};

TEST_F(RolloutControllerTest, ReleasesWaveByWaveThroughPkcAndRecordsProgress) {
  fleet_->Write("rollouts/kafka-39.yaml", kRollout);
  fleet_->Push("rollout kafka 3.9");
  ASSERT_THAT(cake_->Settle().status(), IsOk());

  std::vector<std::string> targets = Files("derived/rollout/targets");
  ASSERT_THAT(targets, SizeIs(2));  // maxConcurrent of the first wave
  for (const std::string& t : targets) {
    std::string target = Show(t);
    EXPECT_EQ(Field(target, "wave"), "aws");
    EXPECT_EQ(Field(target, "phase"), "InProgress");
    EXPECT_EQ(Field(target, "kafkaVersion"), "\"3.9\"");
    std::string physical = Show(rollout::PkcPathFor(t));
    EXPECT_EQ(Field(physical, "kafkaVersion"), "\"3.9\"") << physical;
    EXPECT_EQ(Field(physical, "strata.dev/release"), Field(target, "release"));
    EXPECT_EQ(Field(physical, "cloud"), "aws");
  }
  std::string progress = Show("derived/rollout/progress/kafka-39.yaml");
  EXPECT_EQ(Field(progress, "phase"), "Running");
  EXPECT_THAT(progress, HasSubstr("inProgress: 2"));
  // The rollout controller wrote only under its prefix, with its trailers.
  std::string last = fleet_->Git("log -1 --format=%B main -- derived/rollout");
  EXPECT_THAT(last, HasSubstr("Strata-Controller: rollout"));
  for (const std::string& f : Files("derived/rollout"))
    EXPECT_EQ(f.rfind("derived/rollout/", 0), 0u);

  // Healthy: the agents' reports wake the rollout, which records Done; the soak holds the rest.
  EXPECT_THAT(Report(), ElementsAre("rollouts/kafka-39.yaml"));
  Pass();
  for (const std::string& t : targets) EXPECT_EQ(Field(Show(t), "phase"), "Done");
  EXPECT_EQ(Field(Show(targets[0]), "doneAt"), rollout::FormatMillis(kStart));
  progress = Show("derived/rollout/progress/kafka-39.yaml");
  EXPECT_EQ(Field(progress, "waitingFor"), "Concurrency") << progress;  // 2 soaking of 2

  int aws_clusters = 0;
  for (const std::string& f : Files("derived/pkc")) {
    std::string doc = Show(f);
    if (Field(doc, "cloud") == "aws" && Field(doc, "tenancy") == "dedicated") ++aws_clusters;
  }
  // Drive the first wave to its end: ten minutes per batch.
  for (int i = 0; i < 10 && Files("derived/rollout/targets").size() < size_t(aws_clusters); ++i) {
    now_ += 10 * 60'000;
    Pass();
    Report();
    Pass();
  }
  ASSERT_EQ(Files("derived/rollout/targets").size(), size_t(aws_clusters));
  now_ += 10 * 60'000;
  Pass();
  progress = Show("derived/rollout/progress/kafka-39.yaml");
  EXPECT_EQ(Field(progress, "waitingFor"), "Approval") << progress;
  EXPECT_EQ(Field(progress, "reason"),
            "\"wave rest waits for approval: strata rollout approve kafka-39 rest\"");

  fleet_->Edit("rollouts/kafka-39.yaml", "  state: running",
               "  state: running\n  approvedWaves: [rest]");
  fleet_->Push("approve wave rest");
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  EXPECT_EQ(Files("derived/rollout/targets").size(), size_t(aws_clusters) + 1);
}

TEST_F(RolloutControllerTest, AFailureBeyondTheBudgetPausesAndAbortRevertsWhatIsNotHealthy) {
  fleet_->Write("rollouts/kafka-39.yaml", kRollout);
  fleet_->Push("rollout kafka 3.9");
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  std::vector<std::string> targets = Files("derived/rollout/targets");
  ASSERT_THAT(targets, SizeIs(2));
  std::string failing = targets[0].substr(targets[0].rfind('/') + 1);
  failing = failing.substr(0, failing.size() - 5);
  Report("Failed", {failing});
  Pass();
  std::string progress = Show("derived/rollout/progress/kafka-39.yaml");
  EXPECT_EQ(Field(progress, "phase"), "Paused");
  EXPECT_EQ(Field(progress, "waitingFor"), "FailureBudget");
  EXPECT_EQ(Field(Show(targets[0]), "reason"), "broker 1 is not healthy");

  fleet_->Edit("rollouts/kafka-39.yaml", "  state: running", "  state: aborted");
  fleet_->Push("abort kafka 3.9");
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  for (const std::string& t : targets) {
    std::string target = Show(t);
    EXPECT_EQ(Field(target, "phase"), "Reverted");
    std::string physical = Show(rollout::PkcPathFor(t));
    EXPECT_EQ(Field(physical, "kafkaVersion"), "\"3.7\"") << physical;  // pkc's default again
  }
  EXPECT_EQ(Field(Show("derived/rollout/progress/kafka-39.yaml"), "phase"), "Aborted");
}

TEST_F(RolloutControllerTest, ASecondRolloutOfTheSameSettingOnTheSameClustersIsRefused) {
  fleet_->Write("rollouts/kafka-39.yaml", kRollout);
  fleet_->Push("rollout kafka 3.9");
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  std::string other(kRollout);
  other.replace(other.find("name: kafka-39"), 14, "name: kafka-40");
  other.replace(other.find("\"3.9\""), 5, "\"4.0\"");
  fleet_->Write("rollouts/kafka-40.yaml", other);
  fleet_->Push("rollout kafka 4.0 too");
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  const auto& rejections = cake_->rejections();
  ASSERT_EQ(rejections.count("rollouts/kafka-40.yaml"), 1u);
  const controller::Outcome& o = rejections.at("rollouts/kafka-40.yaml").outcome;
  ASSERT_THAT(o.errors, SizeIs(1));
  EXPECT_EQ(o.errors[0].file, "rollouts/kafka-40.yaml");
  EXPECT_EQ(o.errors[0].field, "spec.change.kafkaVersion");
  EXPECT_EQ(o.errors[0].line, 7);
  EXPECT_THAT(
      o.errors[0].message,
      HasSubstr("rollout kafka-39 (rollouts/kafka-39.yaml) also changes kafkaVersion of pkc-"));
  EXPECT_EQ(Field(Show("derived/rollout/progress/kafka-40.yaml"), "phase"), "Refused");
  for (const std::string& t : Files("derived/rollout/targets")) {
    EXPECT_EQ(Field(Show(t), "rollout"), "kafka-39");  // the first goes on untouched
  }
}

TEST_F(RolloutControllerTest, ProgressIsAnnouncedOnStrataRollouts) {
  // The rollout controller's own runtime, with a real Kafka-protocol broker to announce on.
  auto kafka = MockKafka::Start(1);
  ASSERT_THAT(kafka.status(), IsOk());
  KafkaProperties properties = {{"bootstrap.servers", (*kafka)->bootstrap_servers()}};
  controller::RuntimeOptions options;
  options.repo = fleet_->bare();
  options.kafka = properties;
  options.notify_reconcilers = false;
  auto runtime = controller::ControllerRuntime::Create(
      MakeRolloutController([this] { return now_; }), options, *specs::SchemaSet::LoadEmbedded());
  ASSERT_THAT(runtime.status(), IsOk());
  fleet_->Write("rollouts/kafka-39.yaml", kRollout);
  fleet_->Push("rollout kafka 3.9");
  auto batch = (*runtime)->ProcessBatch({"rollouts/kafka-39.yaml"}, {});
  ASSERT_THAT(batch.status(), IsOk());
  ASSERT_FALSE(IsZeroOid(batch->commit));

  auto records = ReadTopicSnapshot(properties, "strata.rollouts", std::chrono::seconds(10));
  ASSERT_THAT(records.status(), IsOk());
  ASSERT_THAT(*records, SizeIs(1));
  EXPECT_EQ((*records)[0].key, "Rollout/kafka-39");
  nlohmann::json event = nlohmann::json::parse((*records)[0].value);
  EXPECT_EQ(event["type"], "dev.strata.rollout.state-changed");
  EXPECT_EQ(event["subject"], "Rollout/kafka-39");
  EXPECT_EQ(event["id"], OidToHex(batch->commit) + ":Rollout/kafka-39");
  EXPECT_EQ(event["data"]["phase"], "Running");
  EXPECT_EQ(event["data"]["commit"], OidToHex(batch->commit));
  EXPECT_EQ(event["data"]["waves"][0]["inProgress"], 2);
  EXPECT_EQ(event["data"]["waves"][1]["state"], "Pending");
}

}  // namespace
}  // namespace strata::controllers
