// The layer cake as real processes: `strata reconcile --watch` and `strata controller` against a
// bare fleet repo (pushed to with git, its post-receive hook installed) and librdkafka's mock
// cluster hosted by this test. Pushes travel person → reconciler → Kafka → pkc → reconciler → …
// → sync → the satellite refs; the result is checked with git and against what the same
// controllers compute in-process from the final inputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/change_event.h"
#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"
#include "tests/support/strata_processes.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;
using ::strata::testing::StrataProcessTest;
using ::testing::HasSubstr;

const std::string kStrata = STRATA_BINARY;
constexpr auto kConverge = std::chrono::seconds(120);  // generous: CI runs two tests at once, under ASan

class ControllerCliTest : public StrataProcessTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SetUpFleet("controller-cli", 3));
    // Several partitions, so that instances of one controller can share the keys.
    for (const char* kind : {"KafkaCluster", "PhysicalKafkaCluster", "K8sCluster"}) {
      ASSERT_THAT(kafka_->CreateTopic(DesiredTopic(kind), 4, 1), IsOk());
    }
  }
  std::unique_ptr<ChildProcess> StartReconciler() {
    return Start({"reconcile", "--watch", "--repo", fleet_->bare()}, "reconcile");
  }
  bool SliceHas(const std::string& satellite, const std::string& file, const std::string& text) {
    auto out = Sh("git -C " + fleet_->bare() + " show satellites/" + satellite + ":" + file);
    return out.code == 0 && out.out.find(text) != std::string::npos;
  }
  // Runs the controllers in-process on a copy of the repo: nothing left to do means the running
  // system reached exactly the derived tree the controllers compute from the final inputs.
  std::map<std::string, int> CommitsStillToMake() {
    std::string copy = dir_ + "/copy.git";
    EXPECT_EQ(Sh("git clone -q --mirror " + fleet_->bare() + " " + copy).code, 0);
    auto cake = LayerCake::Create(copy);
    EXPECT_THAT(cake.status(), IsOk());
    auto commits = (*cake)->Settle();
    EXPECT_THAT(commits.status(), IsOk());
    return commits.ok() ? *commits : std::map<std::string, int>{};
  }
};

TEST_F(ControllerCliTest, LayersPrintsTheCake) {
  auto out = Sh(kStrata + " layers");
  EXPECT_EQ(out.code, 0);
  EXPECT_THAT(out.out, HasSubstr("layer 1\n  network: "));
  EXPECT_THAT(out.out, HasSubstr("  rollout: fleet rollouts"));
  EXPECT_THAT(out.out, HasSubstr("layer 5\n  sync: "));
  EXPECT_THAT(out.out, HasSubstr(
      "start-up order (bottom first): sync, capacity, connect, ksql, pkc, network, rollout\n"));
  out = Sh(kStrata + " controller nope --repo " + fleet_->bare() + " --kafka 127.0.0.1:1");
  EXPECT_EQ(out.code, 2);
  EXPECT_THAT(out.out, HasSubstr("no controller named nope (there are: pkc, connect, ksql, network, capacity, sync, rollout)"));
}

TEST_F(ControllerCliTest, PushesTravelThroughEveryLayerToTheSatellites) {
  auto reconciler = StartReconciler();
  auto controllers = Start({"controller", "--all", "--repo", fleet_->bare()}, "controllers");
  const std::string orders = "k8s-acme-orders-privatelink/pkc-acme-orders.yaml";
  ASSERT_TRUE(Eventually([&] { return SliceHas("aws-us-west-2-1", orders, "brokers: 6\n"); }, kConverge))
      << controllers->Log();

  // A pull request's worth of changes: scale up, add a cluster, delete one, a residency breach.
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  std::string scale = fleet_->Push("orders: 2 → 4 CKU");
  fleet_->Write("tenants/globex/kafka/audit.yaml",
                "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: audit\n"
                "  org: globex\nspec:\n  sku: dedicated\n  cloud: gcp\n  region: us-central1\n"
                "  availability: single-zone\n  cku: 1\n");
  fleet_->Push("globex: audit cluster");
  fleet_->Remove("tenants/initech/kafka/staging.yaml");
  fleet_->Push("initech: staging goes");
  fleet_->Edit("tenants/bergbau/kafka/telemetry.yaml", "region: eu-central-1", "region: us-east-1");
  fleet_->Push("bergbau: telemetry to us-east-1");

  ASSERT_TRUE(Eventually([&] { return SliceHas("aws-us-west-2-1", orders, "brokers: 12\n"); }, kConverge))
      << controllers->Log();
  ASSERT_TRUE(Eventually([&] {
    return SliceHas("gcp-us-central1-1", "k8s-gcp-us-central1-shared-1/pkc-globex-audit.yaml",
                    "brokers: 3\n");
  }, kConverge)) << controllers->Log();
  ASSERT_TRUE(Eventually([&] {
    return Sh("git -C " + fleet_->bare() + " grep -q KafkaCluster/initech/staging main -- derived satellites").code == 1;
  }, kConverge)) << controllers->Log();
  // Let the cake settle, then check it reached the fixed point of the final inputs.
  ASSERT_TRUE(Eventually([&] { return fleet_->StaysStill(std::chrono::seconds(2)); }, kConverge));
  EXPECT_TRUE(CommitsStillToMake().empty());

  // The residency breach was refused by pkc on strata.status; the last good cluster stays.
  auto status = strata::testing::ReadAllRecords(kafka_->bootstrap_servers(), "strata.status");
  ASSERT_THAT(status.status(), IsOk());
  bool refused = false;
  for (const auto& record : *status) {
    auto event = DecodeCloudEvent(record.value);
    if (event.ok() && event->key == "KafkaCluster/bergbau/telemetry" && event->controller == "pkc") {
      refused = !event->errors.empty() &&
                event->errors[0].message ==
                    "org bergbau requires eu data residency; aws us-east-1 is outside it";
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_THAT(fleet_->Show("derived/pkc/bergbau/pkc-bergbau-telemetry.yaml"),
              HasSubstr("region: eu-central-1"));

  // The audit trail: the pkc commit for the scale-up names the person's commit as its cause.
  std::string causes = fleet_->Git("log '--format=%(trailers:key=Strata-Cause,valueonly)' "
                                   "main -- derived/pkc/acme/pkc-acme-orders.yaml");
  EXPECT_THAT(causes, HasSubstr(scale));
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " fsck --strict --no-progress").code, 0);
}

TEST_F(ControllerCliTest, TwoPkcInstancesShareTheWorkAndAgreeWithOne) {
  auto reconciler = StartReconciler();
  auto first = Start({"controller", "pkc", "--repo", fleet_->bare()}, "pkc-1");
  auto second = Start({"controller", "pkc", "--repo", fleet_->bare()}, "pkc-2");
  // More clusters than the example has, so that both instances get some.
  for (int i = 0; i < 40; ++i) {
    std::string name = "c" + std::to_string(i);
    fleet_->Write("tenants/acme/kafka/" + name + ".yaml",
                  "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
                      "\n  org: acme\nspec:\n  sku: " + (i % 2 == 0 ? "dedicated" : "standard") +
                      "\n  cloud: aws\n  region: us-east-1\n  availability: multi-zone\n" +
                      (i % 2 == 0 ? "  cku: 1\n" : ""));
  }
  fleet_->Push("forty clusters");
  auto placed = [&] {
    auto out = Sh("git -C " + fleet_->bare() + " grep -h 'key: KafkaCluster/' main -- derived/pkc | sort");
    return out.out;
  };
  // Every logical cluster is placed exactly once.
  ASSERT_TRUE(Eventually([&] {
    std::string p = placed();
    return std::count(p.begin(), p.end(), '\n') >= 52;  // 12 examples + 40 new
  }, kConverge)) << first->Log() << second->Log();
  std::string all = placed();
  std::set<std::string> unique;
  for (size_t s = 0, e; s < all.size(); s = e + 1) {
    e = all.find('\n', s);
    EXPECT_TRUE(unique.insert(all.substr(s, e - s)).second) << "placed twice: " << all.substr(s, e - s);
  }
  // Both instances committed, and neither lost the other's files.
  EXPECT_THAT(first->Log(), HasSubstr("paths → commit"));
  EXPECT_THAT(second->Log(), HasSubstr("paths → commit"));
  // One instance, in-process, on the same inputs finds nothing to change in its prefix.
  std::string copy = dir_ + "/copy.git";
  ASSERT_EQ(Sh("git clone -q --mirror " + fleet_->bare() + " " + copy).code, 0);
  auto cake = LayerCake::Create(copy, {"pkc"});
  ASSERT_THAT(cake.status(), IsOk());
  auto commits = (*cake)->Settle();
  ASSERT_THAT(commits.status(), IsOk());
  EXPECT_TRUE(commits->empty());
}

}  // namespace
}  // namespace strata
