// The sim driver on its own, with time moved by hand: how it rolls a Kafka cluster one broker at
// a time and what it reports while it does (brokers_updated and the Rolled condition).
#include "agents/sim/sim_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/status_matchers.h"
#include "core/test_support.h"

namespace strata::agent {
namespace {

using nlohmann::json;
using strata::IsOk;
using ::testing::ElementsAre;

class SimDriverTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = strata::testing::FreshTestDir("sim"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SimOptions Options() {
    SimOptions options;
    options.state_dir = dir_;
    options.now_ms = [this] { return now_ms_; };
    return options;
  }

  static SliceResource Cluster(int brokers, const std::string& version, json config = nullptr) {
    SliceResource r;
    r.entry = "k8s-1/pkc-a.yaml";
    r.key = "PhysicalKafkaCluster/pkc-a";
    r.kind = "PhysicalKafkaCluster";
    r.name = "pkc-a";
    r.k8s_cluster = "k8s-1";
    r.resource = {{"apiVersion", "strata.dev/v1alpha1"},
                  {"kind", "PhysicalKafkaCluster"},
                  {"metadata", {{"name", "pkc-a"}}},
                  {"spec", {{"brokers", brokers}, {"kafkaVersion", version}}}};
    if (!config.is_null()) r.resource["spec"]["config"] = std::move(config);
    return r;
  }

  // The simulated cluster's brokers as the driver keeps them.
  json Brokers() {
    std::ifstream in(dir_ + "/sim/PhysicalKafkaCluster/pkc-a.json");
    json state = json::parse(in, nullptr, false);
    return state.is_object() ? state.value("brokers", json::array()) : json::array();
  }

  // Applies `desired` a second apart until the cluster is Ready.
  void Converge(Driver& driver, const SliceResource& desired) {
    for (int round = 0; round < 50; ++round) {
      Result<Observed> observed = driver.Apply(desired);
      ASSERT_THAT(observed.status(), IsOk());
      now_ms_ += 1000;
      if (observed->phase == Phase::kReady) return;
    }
    FAIL() << "the cluster never got Ready";
  }

  // Rolls to `desired` a second per step (a broker restart takes 0.8 s) and returns brokers_updated
  // after each step, checking that at most one broker is down at any time, that the cluster is
  // Ready only after the last step and what the Rolled condition says on the way.
  std::vector<int> Roll(Driver& driver, const SliceResource& desired,
                        const std::string& rolling_to) {
    std::vector<int> updated;
    for (int round = 0; round < 20; ++round) {
      Result<Observed> observed = driver.Apply(desired);
      EXPECT_THAT(observed.status(), IsOk());
      if (!observed.ok()) break;
      now_ms_ += 1000;
      updated.push_back(observed->brokers_updated);
      EXPECT_EQ(observed->brokers_desired, 6);
      EXPECT_GE(observed->brokers_ready, 5) << "two brokers down at once after step " << round;
      int down = 0;
      for (const json& b : Brokers()) down += b.value("state", "") != "ready";
      EXPECT_LE(down, 1);
      if (observed->phase == Phase::kReady) {
        EXPECT_TRUE(observed->conditions.empty());
        break;
      }
      EXPECT_EQ(observed->phase, Phase::kProvisioning);
      std::string n = std::to_string(observed->brokers_updated);
      EXPECT_THAT(observed->conditions,
                  ElementsAre(::testing::Field(
                      &Condition::message, "rolling broker " + n + " of 6 to " + rolling_to + " (" +
                                               n + " of 6 updated)")));
    }
    return updated;
  }

  std::string dir_;
  int64_t now_ms_ = 1'000'000;
};

TEST_F(SimDriverTest, RollsAVersionChangeOneBrokerAtATime) {
  auto driver = MakeSimDriver(Options());
  Converge(*driver, Cluster(6, "3.7"));
  ASSERT_EQ(Brokers().size(), 6u);
  EXPECT_THAT(Roll(*driver, Cluster(6, "3.8"), "3.8"), ElementsAre(0, 1, 2, 3, 4, 5, 6));
  json brokers = Brokers();
  ASSERT_EQ(brokers.size(), 6u);
  for (const json& b : brokers) {
    EXPECT_EQ(b["version"], "3.8");
    EXPECT_EQ(b["state"], "ready");
  }
}

TEST_F(SimDriverTest, RollsAConfigChangeOneBrokerAtATime) {
  auto driver = MakeSimDriver(Options());
  Converge(*driver, Cluster(6, "3.8"));
  json config = {{"log.retention.ms", "86400000"}};
  EXPECT_THAT(Roll(*driver, Cluster(6, "3.8", config), "the new config"),
              ElementsAre(0, 1, 2, 3, 4, 5, 6));
  json brokers = Brokers();
  ASSERT_EQ(brokers.size(), 6u);
  for (const json& b : brokers) {
    EXPECT_EQ(b["version"], "3.8");
    EXPECT_EQ(b["config"], config.dump());
  }
}

TEST_F(SimDriverTest, AnUnhealthyBrokerStopsTheRollThere) {
  {
    auto healthy = MakeSimDriver(Options());
    Converge(*healthy, Cluster(6, "3.7"));
  }
  // The same simulated cloud (its state is on disk), now with broker 2 failing once restarted.
  SimOptions options = Options();
  options.unhealthy_brokers = {"pkc-a/2"};
  auto driver = MakeSimDriver(options);
  std::vector<int> updated;
  Result<Observed> observed = Status::Internal("not applied yet");
  for (int round = 0; round < 8; ++round) {
    observed = driver->Apply(Cluster(6, "3.8"));
    ASSERT_THAT(observed.status(), IsOk());
    updated.push_back(observed->brokers_updated);
    now_ms_ += 1000;
  }
  // Brokers 0 and 1 roll, broker 2 restarts and never gets healthy; the roll waits there.
  EXPECT_THAT(updated, ElementsAre(0, 1, 2, 2, 2, 2, 2, 2));
  EXPECT_EQ(observed->phase, Phase::kDegraded);
  EXPECT_EQ(observed->brokers_ready, 5);
  ASSERT_EQ(observed->conditions.size(), 1u);
  EXPECT_EQ(observed->conditions[0].reason, "BrokerUnhealthy");
  EXPECT_EQ(
      observed->conditions[0].message,
      "broker 2 was rolled to 3.8 but is not healthy; the roll waits for it (2 of 6 updated)");
  json brokers = Brokers();
  ASSERT_EQ(brokers.size(), 6u);
  std::vector<std::string> versions;
  for (const json& b : brokers) versions.push_back(b.value("version", ""));
  EXPECT_THAT(versions, ElementsAre("3.8", "3.8", "3.8", "3.7", "3.7", "3.7"));
  EXPECT_EQ(brokers[2]["state"], "starting");
}

TEST_F(SimDriverTest, TheCloudApiThrottlesWhileApiJsonSaysSo) {
  auto driver = MakeSimDriver(Options());
  ASSERT_THAT(driver->Apply(Cluster(3, "3.7")).status(), IsOk());
  json before = Brokers();

  std::ofstream(dir_ + "/sim/api.json") << R"({"throttle_rate": 1})";
  now_ms_ += 1000;
  Result<Observed> throttled = driver->Apply(Cluster(3, "3.7"));
  EXPECT_EQ(throttled.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(throttled.status().message(),
            "cloud API answered 429 Too Many Requests for PhysicalKafkaCluster/pkc-a");
  EXPECT_EQ(driver->Remove(Cluster(3, "3.7")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Brokers(), before) << "a refused call changed the cloud";

  std::filesystem::remove(dir_ + "/sim/api.json");
  now_ms_ += 1000;
  EXPECT_THAT(driver->Apply(Cluster(3, "3.7")).status(), IsOk());
}

}  // namespace
}  // namespace strata::agent
