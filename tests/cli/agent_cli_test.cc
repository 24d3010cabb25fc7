// The satellite agent as a real process, at the end of the whole chain: a person's push → the
// reconciler → every controller (sync signing with a key from `strata keys generate`) → the
// satellite ref → `strata agent` fetching it over git daemon on loopback → the sim data plane →
// status on Kafka. Checked with git verify-commit, the status topic, the agent's state dir, and a
// kill -9 of the agent in the middle of a roll.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/change_event.h"
#include "core/mock_kafka.h"
#include "core/resource_status.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/strata_processes.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::Sh;
using ::strata::testing::StrataProcessTest;
using ::testing::HasSubstr;

const std::string kStrata = STRATA_BINARY;
constexpr auto kConverge = std::chrono::seconds(120);  // generous: CI runs two tests at once, under ASan
const std::string kSatellite = "aws-us-west-2-1";
const std::string kOrders = "PhysicalKafkaCluster/pkc-acme-orders";

class AgentCliTest : public StrataProcessTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SetUpFleet("agent-cli", 1));
    auto keys = Sh(kStrata + " keys generate --out " + dir_ + "/keys/sync");
    ASSERT_EQ(keys.code, 0) << keys.out;
    ASSERT_TRUE(std::filesystem::copy_file(dir_ + "/keys/sync.pub", dir_ + "/trusted"));
  }
  void TearDown() override {
    // The processes first: one still writing into the fleet repo makes remove_all fail.
    reconciler_.reset();
    controllers_.reset();
    daemon_.reset();
    StrataProcessTest::TearDown();
  }

  void StartControlPlane() {
    reconciler_ = Start({"reconcile", "--watch", "--repo", fleet_->bare()}, "reconcile");
    controllers_ = Start({"controller", "--all", "--repo", fleet_->bare(), "--signing-key",
                          dir_ + "/keys/sync"}, "controllers");
    port_ = strata::testing::FreeLoopbackPort();
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
                                 "--port=" + std::to_string(port_), "--base-path=" + dir_, dir_},
        dir_ + "/daemon.log");
  }
  std::unique_ptr<ChildProcess> StartAgent(const std::string& log) {
    return Start({"agent", "--satellite", kSatellite, "--repo",
                  "git://127.0.0.1:" + std::to_string(port_) + "/fleet.git", "--state-dir",
                  dir_ + "/agent", "--trusted-keys", dir_ + "/trusted", "--driver", "sim",
                  "--sim-time-scale", "1", "--poll-ms", "500"},
                 log);
  }
  // The newest status of `key` on strata.status; nullopt when none yet.
  std::optional<ResourceStatus> LatestStatus(const std::string& key) {
    auto records = strata::testing::ReadAllRecords(kafka_->bootstrap_servers(), "strata.status",
                                                   std::chrono::seconds(5));
    if (!records.ok()) return std::nullopt;
    std::optional<ResourceStatus> last;
    for (const auto& r : *records) {
      if (r.key != key) continue;
      auto s = DecodeResourceStatus(r.value);
      if (s.ok()) last = *s;
    }
    return last;
  }
  bool ReadyWith(const std::string& key, int brokers) {
    auto s = LatestStatus(key);
    return s.has_value() && s->phase == "Ready" && s->brokers_ready == brokers;
  }
  std::string SliceRef() {
    return Sh("git -C " + fleet_->bare() + " rev-parse satellites/" + kSatellite).out.substr(0, 40);
  }

  int port_ = 0;
  std::unique_ptr<ChildProcess> reconciler_, controllers_, daemon_;
};

TEST_F(AgentCliTest, KeysGenerateWritesAPairSshKeygenReads) {
  auto pub = Sh("ssh-keygen -y -f " + dir_ + "/keys/sync");
  ASSERT_EQ(pub.code, 0) << pub.out;
  std::ifstream in(dir_ + "/keys/sync.pub");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(pub.out, line + "\n");
  EXPECT_EQ(std::filesystem::status(dir_ + "/keys/sync").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = Sh(kStrata + " keys generate --out " + dir_ + "/keys/sync");
  EXPECT_EQ(again.code, 2);
  EXPECT_THAT(again.out, HasSubstr("already exists (give --force to replace it)"));
}

TEST_F(AgentCliTest, APushBecomesReadyOnTheSatelliteAndSurvivesAKillMidRoll) {
  StartControlPlane();
  auto agent = StartAgent("agent");
  ASSERT_TRUE(Eventually([&] { return ReadyWith(kOrders, 6); }, kConverge))
      << agent->Log() << controllers_->Log();

  // What the agent trusts, git trusts: the slice is signed by the sync key.
  std::ofstream(dir_ + "/allowed") << "sync@strata " << [&] {
    std::ifstream in(dir_ + "/keys/sync.pub");
    std::string line;
    std::getline(in, line);
    return line;
  }() << "\n";
  auto verify = Sh("git -C " + fleet_->bare() + " -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=" +
                   dir_ + "/allowed verify-commit satellites/" + kSatellite);
  EXPECT_EQ(verify.code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("Good \"git\" signature"));

  // The agent fetched its own slice and nothing else: no other ref, and no object of another
  // satellite's slice.
  auto refs = Sh("git -C " + dir_ + "/agent/repo.git for-each-ref --format='%(refname)'");
  EXPECT_THAT(refs.out, HasSubstr("refs/strata/fetched\n"));
  EXPECT_EQ(refs.out.find("refs/heads/"), std::string::npos) << refs.out;
  auto other = Sh("git -C " + fleet_->bare() + " rev-parse satellites/gcp-us-central1-1^{tree}");
  ASSERT_EQ(other.code, 0);
  EXPECT_NE(Sh("git -C " + dir_ + "/agent/repo.git cat-file -e " + other.out.substr(0, 40)).code, 0);

  // Scale up, and kill -9 the agent while the brokers roll in one at a time.
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  std::string pushed = fleet_->Push("orders: 2 → 4 CKU");
  ASSERT_TRUE(Eventually([&] {
    auto s = LatestStatus(kOrders);
    return s.has_value() && s->brokers_desired == 12 && s->brokers_ready > 6 && s->brokers_ready < 12;
  }, kConverge)) << agent->Log();
  ::kill(agent->pid(), SIGKILL);
  agent->Wait();
  {  // it did die mid-roll: the simulated cluster has fewer than 12 healthy brokers
    std::ifstream in(dir_ + "/agent/sim/PhysicalKafkaCluster/pkc-acme-orders.json");
    auto cluster = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(cluster.is_object());
    int ready = 0;
    for (const auto& b : cluster["brokers"]) ready += b["state"] == "ready";
    EXPECT_LT(ready, 12);
  }
  auto restarted = StartAgent("agent-2");
  ASSERT_TRUE(Eventually([&] { return ReadyWith(kOrders, 12); }, kConverge)) << restarted->Log();
  EXPECT_THAT(restarted->Log(), HasSubstr("resuming at slice"));
  auto status = LatestStatus(kOrders);
  EXPECT_EQ(status->satellite, kSatellite);
  EXPECT_EQ(status->source, "derived/pkc/acme/pkc-acme-orders.yaml");
  EXPECT_EQ(status->endpoint, "pkc-acme-orders.k8s-acme-orders-privatelink.svc:9092");
  // The whole slice is applied, and the agent's state says which commit that is.
  ASSERT_TRUE(Eventually([&] {
    std::ifstream in(dir_ + "/agent/agent.json");
    auto j = nlohmann::json::parse(in, nullptr, false);
    return j.is_object() && j["applied"] == SliceRef();
  }, kConverge)) << restarted->Log();
  auto satellite = LatestStatus("Satellite/" + kSatellite);
  ASSERT_TRUE(satellite.has_value());
  EXPECT_EQ(satellite->phase, "Ready");

  // `strata status` answers "is my change live?" for the push.
  auto answer = Sh(kStrata + " status --repo " + fleet_->bare() + " --kafka " +
                   kafka_->bootstrap_servers() + " --commit " + pushed);
  EXPECT_EQ(answer.code, 0) << answer.out;
  EXPECT_THAT(answer.out, HasSubstr("applied on " + kSatellite));
  auto cluster = Sh(kStrata + " status --repo " + fleet_->bare() + " --kafka " +
                    kafka_->bootstrap_servers() + " KafkaCluster/acme/orders");
  EXPECT_EQ(cluster.code, 0) << cluster.out;
  EXPECT_THAT(cluster.out, HasSubstr("PhysicalKafkaCluster/pkc-acme-orders"));
  EXPECT_THAT(cluster.out, HasSubstr("Ready 12/12 brokers"));
  auto fleet = Sh(kStrata + " status --repo " + fleet_->bare() + " --kafka " + kafka_->bootstrap_servers());
  EXPECT_EQ(fleet.code, 0) << fleet.out;
  EXPECT_THAT(fleet.out, HasSubstr("satellite   " + kSatellite + ": Ready, slice " + SliceRef().substr(0, 12)));
  auto as_json = Sh(kStrata + " status -o json --repo " + fleet_->bare() + " --kafka " +
                    kafka_->bootstrap_servers() + " --commit " + pushed + " 2>/dev/null");
  auto answer_json = nlohmann::json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(answer_json.is_object()) << as_json.out;
  EXPECT_EQ(answer_json["published"], true);
  ASSERT_FALSE(answer_json["satellites"].empty());
  EXPECT_EQ(answer_json["satellites"][0]["applied"], true);
}

TEST_F(AgentCliTest, AnAgentRefusesASliceItCannotVerifyAndSaysSo) {
  StartControlPlane();
  std::ofstream(dir_ + "/trusted") << "";  // trusts nobody
  ASSERT_TRUE(Eventually([&] { return Sh("git -C " + fleet_->bare() + " rev-parse -q --verify satellites/" + kSatellite).code == 0; }, kConverge));
  auto agent = StartAgent("agent");
  ASSERT_TRUE(Eventually([&] {
    auto s = LatestStatus("Satellite/" + kSatellite);
    return s.has_value() && s->phase == "Failed";
  }, kConverge)) << agent->Log();
  auto s = LatestStatus("Satellite/" + kSatellite);
  ASSERT_FALSE(s->conditions.empty());
  EXPECT_EQ(s->conditions[0].reason, "SliceRefused");
  EXPECT_THAT(s->conditions[0].message, HasSubstr("which is not a trusted key"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/agent/sim"));  // nothing applied
}

}  // namespace
}  // namespace strata
