// A tenant file names other resources by name only, and a name resolves in the file's own org: a
// KafkaCluster of acme cannot reach globex's Network, nor a Connect or ksqlDB cluster of acme
// globex's KafkaCluster. Checked end to end: `strata validate` on a fleet directory (file, line,
// field and the exact message), and the real controllers on a fleet repo, which refuse the files
// and leave acme's derived state as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "specs/embedded.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;
using ::testing::HasSubstr;

const std::string kStrata = STRATA_BINARY;

// acme's files pointed at globex's resources: a network and a Kafka cluster by bare name, and a
// Kafka cluster by an org-qualified name.
void PointAcmeAtGlobex(const FleetRepo& fleet) {
  fleet.Edit("tenants/acme/kafka/orders.yaml", "network: orders-privatelink",
             "network: ledger-peering");
  fleet.Edit("tenants/acme/connect/orders-sink.yaml", "kafkaCluster: orders",
             "kafkaCluster: events");
  fleet.Edit("tenants/acme/ksql/clickstream-analytics.yaml", "kafkaCluster: clickstream",
             "kafkaCluster: globex/events");
}

class CrossOrgReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("security-cross-org");
    fleet_ = std::make_unique<FleetRepo>(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // "<controller>: <file>:<line>:<col> <field>: <message>;" for each error of the controller that
  // refused `path` in the cake's last step over it; "not refused" when none did.
  static std::string Refused(const LayerCake& cake, const std::string& path) {
    auto found = cake.rejections().find(path);
    if (found == cake.rejections().end()) return "not refused";
    std::string out = found->second.controller + ":";
    for (const auto& e : found->second.outcome.errors) {
      out += " " + e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + " " +
             e.field + ": " + e.message + ";";
    }
    return out;
  }

  // acme's public KafkaCluster shop-orders, a copy of orders (acme's CKU quota raised for it).
  void AddShopOrdersToAcme() const {
    fleet_->Write("tenants/acme/kafka/shop-orders.yaml", fleet_->Read("tenants/acme/kafka/orders.yaml"));
    fleet_->Edit("tenants/acme/kafka/shop-orders.yaml", "name: orders", "name: shop-orders");
    fleet_->Edit("tenants/acme/kafka/shop-orders.yaml", "  network: orders-privatelink\n", "");
    fleet_->Edit("policy/orgs/acme.yaml", "maxTotalCku: 12", "maxTotalCku: 20");
  }
  // Org acme-shop, with acme's policy, and its public KafkaCluster orders, a copy of acme's.
  void AddOrdersToAcmeShop() const {
    std::string policy = fleet_->Read("policy/orgs/acme.yaml");
    fleet_->Write("policy/orgs/acme-shop.yaml", policy.replace(policy.find("name: acme"), 10, "name: acme-shop"));
    fleet_->Write("tenants/acme-shop/kafka/orders.yaml", fleet_->Read("tenants/acme/kafka/orders.yaml"));
    fleet_->Edit("tenants/acme-shop/kafka/orders.yaml", "org: acme", "org: acme-shop");
    fleet_->Edit("tenants/acme-shop/kafka/orders.yaml", "  network: orders-privatelink\n", "");
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
};

TEST_F(CrossOrgReferenceTest, ValidateRefusesAnotherOrgsNetworkAndClusterWithFileLineAndField) {
  // The names exist, in globex: the example fleet is valid as it is.
  ASSERT_EQ(Sh(kStrata + " validate " + fleet_->work()).code, 0);
  PointAcmeAtGlobex(*fleet_);
  auto run = Sh(kStrata + " validate " + fleet_->work());
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out,
            "tenants/acme/connect/orders-sink.yaml:8:3: error: spec.kafkaCluster: no KafkaCluster "
            "'events' in org acme (tenants/acme/kafka/events.yaml)\n"
            "tenants/acme/kafka/orders.yaml:16:3: error: spec.network: no Network 'ledger-peering' "
            "in org acme (tenants/acme/networks/ledger-peering.yaml)\n"
            "tenants/acme/ksql/clickstream-analytics.yaml:8:3: error: spec.kafkaCluster: "
            "'globex/events' is not string matching ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\n"
            "3 errors in 36 files checked\n");
}

// Derived names join org and name: acme's shop-orders and acme-shop's orders would both become
// pkc-acme-shop-orders, one physical cluster (and one slice entry) for two orgs.
TEST_F(CrossOrgReferenceTest, ValidateRefusesTwoOrgsWhoseDerivedNamesWouldBeOne) {
  AddShopOrdersToAcme();
  AddOrdersToAcmeShop();
  auto run = Sh(kStrata + " validate " + fleet_->work());
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out,
            "tenants/acme-shop/kafka/orders.yaml:5:3: error: metadata.name: KafkaCluster "
            "acme-shop/orders and acme/shop-orders would share the derived name 'acme-shop-orders' "
            "(org and name joined by '-'); rename one\n"
            "tenants/acme/kafka/shop-orders.yaml:5:3: error: metadata.name: KafkaCluster "
            "acme/shop-orders and acme-shop/orders would share the derived name 'acme-shop-orders' "
            "(org and name joined by '-'); rename one\n"
            "2 errors in 39 files checked\n");
  // Renamed, the two are valid.
  fleet_->Write("tenants/acme/kafka/shoporders.yaml", fleet_->Read("tenants/acme/kafka/shop-orders.yaml"));
  fleet_->Remove("tenants/acme/kafka/shop-orders.yaml");
  fleet_->Edit("tenants/acme/kafka/shoporders.yaml", "name: shop-orders", "name: shoporders");
  auto renamed = Sh(kStrata + " validate " + fleet_->work());
  EXPECT_EQ(renamed.code, 0) << renamed.out;
}

TEST_F(CrossOrgReferenceTest, TheControllersRefuseThemAndKeepAcmesDerivedStateOwnOrg) {
  auto cake = LayerCake::Create(fleet_->bare());
  ASSERT_THAT(cake.status(), IsOk());
  ASSERT_THAT((*cake)->Settle().status(), IsOk());
  const std::string orders = "derived/pkc/acme/pkc-acme-orders.yaml";
  const std::string sink = "derived/connect/acme/pcc-acme-orders-sink.yaml";
  std::string orders_before = fleet_->Show(orders);
  std::string sink_before = fleet_->Show(sink);
  ASSERT_THAT(orders_before, HasSubstr("network: na-acme-orders-privatelink"));
  ASSERT_THAT(sink_before, HasSubstr("kafkaCluster: pkc-acme-orders"));

  PointAcmeAtGlobex(*fleet_);
  fleet_->Push("acme names the network and clusters of globex");
  ASSERT_THAT((*cake)->Settle().status(), IsOk());

  auto refused = [&](const std::string& path) { return Refused(**cake, path); };
  EXPECT_EQ(refused("tenants/acme/kafka/orders.yaml"),
            "pkc: tenants/acme/kafka/orders.yaml:16:12 spec.network: no valid Network "
            "ledger-peering in org acme;");
  EXPECT_EQ(refused("tenants/acme/connect/orders-sink.yaml"),
            "connect: tenants/acme/connect/orders-sink.yaml:8:17 spec.kafkaCluster: no "
            "KafkaCluster events in org acme;");
  EXPECT_EQ(refused("tenants/acme/ksql/clickstream-analytics.yaml"),
            "ksql: tenants/acme/ksql/clickstream-analytics.yaml:8:3 spec.kafkaCluster: "
            "'globex/events' is not string matching ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$;");

  // A refused file changes nothing downstream, and nothing acme's controllers wrote names globex.
  EXPECT_EQ(fleet_->Show(orders), orders_before);
  EXPECT_EQ(fleet_->Show(sink), sink_before);
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " grep -l globex main -- 'derived/*/acme/*'").out, "");
}

// The same pair pushed without validation: the controllers refuse the newcomer, so acme-shop's
// orders never takes over the physical cluster and slice entry acme's shop-orders has.
TEST_F(CrossOrgReferenceTest, TheControllersRefuseAClusterWhoseDerivedNameAnotherOrgHas) {
  AddShopOrdersToAcme();
  fleet_->Push("acme: shop-orders");
  auto cake = LayerCake::Create(fleet_->bare());
  ASSERT_THAT(cake.status(), IsOk());
  ASSERT_THAT((*cake)->Settle().status(), IsOk());
  const std::string derived = "derived/pkc/acme/pkc-acme-shop-orders.yaml";
  const std::string before = fleet_->Show(derived);
  ASSERT_THAT(before, HasSubstr("tenants/acme/kafka/shop-orders.yaml"));

  AddOrdersToAcmeShop();
  fleet_->Push("acme-shop: orders, without strata validate");
  ASSERT_THAT((*cake)->Settle().status(), IsOk());

  EXPECT_EQ(Refused(**cake, "tenants/acme-shop/kafka/orders.yaml"),
            "pkc: tenants/acme-shop/kafka/orders.yaml:5:9 metadata.name: KafkaCluster "
            "acme-shop/orders and acme/shop-orders would share the derived name 'acme-shop-orders' "
            "(org and name joined by '-'); rename one;");
  EXPECT_EQ(fleet_->Show(derived), before);
  EXPECT_EQ(fleet_->Git("ls-tree -r --name-only main -- derived/pkc/acme-shop"), "");
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " grep -l acme-shop/orders main -- derived satellites").out, "");
}

}  // namespace
}  // namespace strata
