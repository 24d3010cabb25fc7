// The controllers of the layer cake against a real bare repository: the example fleet (and edits
// of it) pushed from a working clone, every controller run in-process layer by layer until the
// cake settles. Each test checks the derived files, the commits and their trailers with the git
// command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/controllers/capacity_controller.h"
#include "reconciler/controllers/pkc_controller.h"
#include "reconciler/controllers/sync_controller.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata::controllers {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class ControllersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("controllers");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto cake = LayerCake::Create(fleet_->bare());
    ASSERT_THAT(cake.status(), IsOk());
    cake_ = std::move(*cake);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::map<std::string, int> Settle() {
    auto commits = cake_->Settle();
    EXPECT_THAT(commits.status(), IsOk());
    return commits.ok() ? *commits : std::map<std::string, int>{};
  }
  // The files a commit touched.
  std::vector<std::string> FilesOf(const std::string& commit) {
    std::string out = fleet_->Git("show --name-only --format= " + commit);
    std::vector<std::string> files;
    size_t start = 0;
    while (start < out.size()) {
      size_t end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      if (end > start) files.push_back(out.substr(start, end - start));
      start = end + 1;
    }
    return files;
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<LayerCake> cake_;
};

TEST_F(ControllersTest, ExampleFleetGoesThroughEveryLayer) {
  auto commits = Settle();
  EXPECT_EQ(commits["pkc"], 1);
  EXPECT_EQ(commits["network"], 1);
  EXPECT_EQ(commits["capacity"], 1);
  EXPECT_GE(commits["sync"], 1);

  // A dedicated 2-CKU multi-zone cluster behind PrivateLink: 6 brokers over 3 zones.
  std::string orders = fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml");
  EXPECT_THAT(orders, HasSubstr("brokers: 6\n"));
  EXPECT_THAT(orders, HasSubstr("  zones:\n    - us-west-2a\n    - us-west-2b\n    - us-west-2c\n"));
  EXPECT_THAT(orders, HasSubstr("network: na-acme-orders-privatelink\n"));
  EXPECT_THAT(orders, HasSubstr("strata.dev/sources: policy/skus/dedicated.yaml,tenants/acme/kafka/"
                                "orders.yaml,tenants/acme/networks/orders-privatelink.yaml\n"));
  // Its network, its dedicated Kubernetes cluster, and the Connect cluster next to it.
  EXPECT_THAT(fleet_->Show("derived/network/acme/na-acme-orders-privatelink.yaml"),
              HasSubstr("kind: vpc-endpoint-service"));
  std::string k8s = fleet_->Show("derived/capacity/aws-us-west-2/k8s-acme-orders-privatelink.yaml");
  EXPECT_THAT(k8s, HasSubstr("dedicatedTo: na-acme-orders-privatelink\n"));
  EXPECT_THAT(k8s, HasSubstr("nodes: 9\n"));  // 6 brokers + headroom, in steps of 3
  EXPECT_THAT(k8s, HasSubstr("    - pcc-acme-orders-sink\n    - pkc-acme-orders\n"));
  // Multi-tenant clusters share a physical cluster of their cloud, region and SKU.
  std::string shared = fleet_->Show("derived/pkc/shared/pkc-aws-us-west-2-standard-1.yaml");
  EXPECT_THAT(shared, HasSubstr("- key: KafkaCluster/acme/clickstream\n"));
  // The satellite's slice, and its ref whose tree is exactly that subtree.
  EXPECT_THAT(fleet_->Show("satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml"),
              HasSubstr("kind: PhysicalKafkaCluster"));
  EXPECT_EQ(fleet_->Git("rev-parse satellites/aws-us-west-2-1^{tree}"),
            fleet_->Git("rev-parse main:satellites/aws-us-west-2-1"));
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " fsck --strict --no-progress").code, 0);

  // Unchanged input: byte-identical output, so a second pass commits nothing.
  auto again = LayerCake::Create(fleet_->bare());
  ASSERT_THAT(again.status(), IsOk());
  auto second = (*again)->Settle();
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_TRUE(second->empty());
}

TEST_F(ControllersTest, ScalingUpLeavesAnAuditTrailLayerByLayer) {
  Settle();
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  std::string person = fleet_->Push("orders: 2 → 4 CKU");
  auto commits = Settle();
  EXPECT_EQ(commits["pkc"], 1);
  EXPECT_EQ(commits["capacity"], 1);  // 12 brokers do not fit in 9 nodes
  EXPECT_EQ(commits["sync"], 1);

  std::string log = fleet_->Git("log '--format=%H%x09%an%x09%(trailers:key=Strata-Controller,valueonly,separator=%x2C)"
                                "%x09%(trailers:key=Strata-Cause,valueonly,separator=%x2C)' -4 main");
  std::vector<std::string> lines;
  for (size_t s = 0, e; s < log.size(); s = e + 1) {
    e = log.find('\n', s);
    if (e == std::string::npos) e = log.size();
    lines.push_back(log.substr(s, e - s));
  }
  ASSERT_EQ(lines.size(), 4u);
  auto field = [](const std::string& line, int i) {
    size_t s = 0;
    for (int k = 0; k < i; ++k) s = line.find('\t', s) + 1;
    std::string f = line.substr(s, line.find('\t', s) - s);
    while (!f.empty() && f.back() == '\n') f.pop_back();
    return f;
  };
  // Newest first: sync, capacity, pkc, the person.
  EXPECT_EQ(field(lines[3], 0), person);
  EXPECT_EQ(field(lines[2], 2), "pkc");
  EXPECT_EQ(field(lines[2], 3), person);
  EXPECT_EQ(field(lines[1], 2), "capacity");
  EXPECT_EQ(field(lines[1], 3), field(lines[2], 0));
  EXPECT_EQ(field(lines[0], 2), "sync");
  // Each commit touches only its own prefix.
  EXPECT_THAT(FilesOf(field(lines[2], 0)), ElementsAre("derived/pkc/acme/pkc-acme-orders.yaml"));
  EXPECT_THAT(FilesOf(field(lines[1], 0)),
              ElementsAre("derived/capacity/aws-us-west-2/k8s-acme-orders-privatelink.yaml"));
  for (const std::string& f : FilesOf(field(lines[0], 0))) EXPECT_THAT(f, HasSubstr("satellites/"));
  EXPECT_THAT(fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml"), HasSubstr("brokers: 12\n"));
  EXPECT_THAT(fleet_->Show("derived/capacity/aws-us-west-2/k8s-acme-orders-privatelink.yaml"),
              HasSubstr("nodes: 15\n"));
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " fsck --strict --no-progress").code, 0);

  // 4 → 5 CKU is 15 brokers: it fits in the 15 nodes, so there is no capacity commit.
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 4", "cku: 5");
  fleet_->Push("orders: 4 → 5 CKU");
  commits = Settle();
  EXPECT_EQ(commits["pkc"], 1);
  EXPECT_EQ(commits.count("capacity"), 0u);
  EXPECT_EQ(commits["sync"], 1);
}

std::string KafkaCluster(const std::string& org, const std::string& name, const std::string& sku,
                         const std::string& cloud, const std::string& region, int cku = 0) {
  std::string doc = "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
                    "\n  org: " + org + "\nspec:\n  sku: " + sku + "\n  cloud: " + cloud +
                    "\n  region: " + region + "\n  availability: multi-zone\n";
  if (cku > 0) doc += "  cku: " + std::to_string(cku) + "\n";
  return doc;
}

TEST_F(ControllersTest, SharedPlacementFillsUpAndStaysPut) {
  fleet_->Edit("policy/skus/standard.yaml", "tenantsPerCluster: 20", "tenantsPerCluster: 2");
  for (const char* name : {"a", "b", "c"}) {
    fleet_->Write(std::string("tenants/acme/kafka/") + name + ".yaml",
                  KafkaCluster("acme", name, "standard", "aws", "us-east-1"));
  }
  fleet_->Push("three standard clusters");
  Settle();
  auto& pkc = dynamic_cast<PkcController&>(cake_->runtime("pkc").controller());
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/a"), "pkc-aws-us-east-1-standard-1");
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/b"), "pkc-aws-us-east-1-standard-1");
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/c"), "pkc-aws-us-east-1-standard-2");
  std::string first = "derived/pkc/shared/pkc-aws-us-east-1-standard-1.yaml";
  std::string second = "derived/pkc/shared/pkc-aws-us-east-1-standard-2.yaml";
  EXPECT_THAT(fleet_->Show(first), HasSubstr("brokers: 9\n"));  // sharedClusterBrokers

  // A tenant leaves: its place is taken by the next newcomer; nobody else moves.
  fleet_->Remove("tenants/acme/kafka/a.yaml");
  fleet_->Write("tenants/acme/kafka/d.yaml", KafkaCluster("acme", "d", "standard", "aws", "us-east-1"));
  fleet_->Push("a leaves, d arrives");
  Settle();
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/a"), "");
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/b"), "pkc-aws-us-east-1-standard-1");
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/c"), "pkc-aws-us-east-1-standard-2");
  EXPECT_EQ(pkc.PlacementOf("KafkaCluster/acme/d"), "pkc-aws-us-east-1-standard-1");

  // A shared cluster stays while a tenant uses it, and goes with its last one.
  fleet_->Remove("tenants/acme/kafka/b.yaml");
  fleet_->Remove("tenants/acme/kafka/d.yaml");
  fleet_->Push("b and d leave");
  Settle();
  EXPECT_EQ(fleet_->Show(first), "");
  EXPECT_THAT(fleet_->Show(second), HasSubstr("- key: KafkaCluster/acme/c\n"));
  // The Kubernetes cluster it ran on now runs only what is left.
  std::string k8s = fleet_->Show("derived/capacity/aws-us-east-1/k8s-aws-us-east-1-shared-1.yaml");
  EXPECT_THAT(k8s, AllOf(HasSubstr("pkc-aws-us-east-1-standard-2"),
                         Not(HasSubstr("pkc-aws-us-east-1-standard-1"))));
}

TEST_F(ControllersTest, ResidencyIsRefusedAndTheLastGoodStateKept) {
  Settle();
  // bergbau keeps its data in the EU: a new cluster in us-east-1 is refused, with the reason.
  fleet_->Write("tenants/bergbau/kafka/export.yaml",
                KafkaCluster("bergbau", "export", "dedicated", "aws", "us-east-1", 1));
  // And an existing one moved out of the EU keeps its last good physical cluster.
  std::string before = fleet_->Show("derived/pkc/bergbau/pkc-bergbau-telemetry.yaml");
  ASSERT_THAT(before, HasSubstr("region: eu-central-1"));
  fleet_->Edit("tenants/bergbau/kafka/telemetry.yaml", "region: eu-central-1", "region: us-east-1");
  fleet_->Push("two clusters outside the EU");
  auto step = cake_->Step("pkc");
  ASSERT_THAT(step.status(), IsOk());
  auto& refused = step->outcomes["tenants/bergbau/kafka/export.yaml"];
  EXPECT_EQ(refused.type, controller::Outcome::Type::kInvalid);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].field, "spec.region");
  EXPECT_EQ(refused.errors[0].line, 9);
  EXPECT_EQ(refused.errors[0].message,
            "org bergbau requires eu data residency; aws us-east-1 is outside it");
  EXPECT_EQ(step->outcomes["tenants/bergbau/kafka/telemetry.yaml"].type,
            controller::Outcome::Type::kInvalid);
  EXPECT_TRUE(IsZeroOid(step->commit));
  Settle();
  EXPECT_EQ(fleet_->Show("derived/pkc/bergbau/pkc-bergbau-export.yaml"), "");
  EXPECT_EQ(fleet_->Show("derived/pkc/bergbau/pkc-bergbau-telemetry.yaml"), before);
  // Nothing of bergbau's landed outside the EU in any layer.
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " grep -l 'bergbau' main -- derived satellites | "
               "grep -E 'us-|eastus'").code, 1);
  // Reported once: asking again reports nothing new.
  auto& runtime = cake_->runtime("pkc");
  uint64_t reported = runtime.stats().invalid_reported.load();
  ASSERT_THAT(runtime.ProcessBatch({"tenants/bergbau/kafka/export.yaml"}, {}).status(), IsOk());
  EXPECT_EQ(runtime.stats().invalid_reported.load(), reported);
}

TEST_F(ControllersTest, AnInvalidFileBlocksOnlyItself) {
  Settle();
  std::string orders = fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml");
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: lots");
  fleet_->Edit("tenants/acme/kafka/payments.yaml", "cku: 4", "cku: 5");
  fleet_->Push("one broken file, one good change");
  auto step = cake_->Step("pkc");
  ASSERT_THAT(step.status(), IsOk());
  auto& broken = step->outcomes["tenants/acme/kafka/orders.yaml"];
  EXPECT_EQ(broken.type, controller::Outcome::Type::kInvalid);
  ASSERT_FALSE(broken.errors.empty());
  EXPECT_EQ(broken.errors[0].field, "spec.cku");
  EXPECT_EQ(step->outcomes["tenants/acme/kafka/payments.yaml"].type, controller::Outcome::Type::kDone);
  EXPECT_FALSE(IsZeroOid(step->commit));
  EXPECT_EQ(fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml"), orders);
  EXPECT_THAT(fleet_->Show("derived/pkc/acme/pkc-acme-payments.yaml"), HasSubstr("brokers: 15\n"));
}

TEST_F(ControllersTest, RapidChangesCoalesceIntoOne) {
  Settle();
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  fleet_->Push("2 → 4");
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 4", "cku: 2");
  fleet_->Push("4 → 2");
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 6");
  fleet_->Push("2 → 6");
  auto commits = Settle();
  EXPECT_EQ(commits["pkc"], 1);
  // The physical cluster went 6 → 18 brokers in one step, never back to 6 in between.
  std::string history = fleet_->Git(
      "log --format=%H main -- derived/pkc/acme/pkc-acme-orders.yaml");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 1);  // two commits
  EXPECT_THAT(fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml"), HasSubstr("brokers: 18\n"));
}

TEST_F(ControllersTest, DeletingGoesDownLayerByLayer) {
  Settle();
  ASSERT_NE(fleet_->Show("satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml"), "");
  fleet_->Remove("tenants/acme/kafka/orders.yaml");
  fleet_->Remove("tenants/acme/connect/orders-sink.yaml");
  fleet_->Push("orders is no more");
  Settle();
  EXPECT_EQ(fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml"), "");
  EXPECT_EQ(fleet_->Show("derived/connect/acme/pcc-acme-orders-sink.yaml"), "");
  EXPECT_EQ(fleet_->Show("derived/capacity/aws-us-west-2/k8s-acme-orders-privatelink.yaml"), "");
  EXPECT_EQ(Sh("git -C " + fleet_->bare() +
               " ls-tree -r --name-only main satellites/aws-us-west-2-1 | grep orders").code, 1);
  // The network stays (it is still declared), and so do the other clusters.
  EXPECT_NE(fleet_->Show("derived/network/acme/na-acme-orders-privatelink.yaml"), "");
  EXPECT_NE(fleet_->Show("derived/pkc/acme/pkc-acme-payments.yaml"), "");
  EXPECT_EQ(fleet_->Git("rev-parse satellites/aws-us-west-2-1^{tree}"),
            fleet_->Git("rev-parse main:satellites/aws-us-west-2-1"));
}

TEST_F(ControllersTest, ASatelliteRetiredHandsItsClustersToAnotherOfTheRegion) {
  Settle();
  std::string old_slice = "satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml";
  ASSERT_NE(fleet_->Show(old_slice), "");
  std::string satellite = fleet_->Read("policy/satellites/aws-us-west-2-1.yaml");
  size_t at = satellite.find("name: aws-us-west-2-1");
  fleet_->Write("policy/satellites/aws-us-west-2-2.yaml",
                satellite.replace(at, 21, "name: aws-us-west-2-2"));
  fleet_->Remove("policy/satellites/aws-us-west-2-1.yaml");
  fleet_->Push("aws-us-west-2-1 retired for aws-us-west-2-2");
  Settle();
  EXPECT_EQ(fleet_->Show(old_slice), "");
  EXPECT_THAT(fleet_->Show("satellites/aws-us-west-2-2/k8s-acme-orders-privatelink/pkc-acme-orders.yaml"),
              HasSubstr("satellite: aws-us-west-2-2\n"));
  // The old satellite's ref now holds nothing; the new one's holds exactly its slice.
  EXPECT_EQ(fleet_->Git("ls-tree -r satellites/aws-us-west-2-1"), "");
  EXPECT_EQ(fleet_->Git("rev-parse satellites/aws-us-west-2-2^{tree}"),
            fleet_->Git("rev-parse main:satellites/aws-us-west-2-2"));
}

}  // namespace
}  // namespace strata::controllers
