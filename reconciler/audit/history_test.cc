#include "reconciler/audit/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_support.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata::audit {
namespace {

using ::testing::ElementsAre;

constexpr char kOrders[] = "tenants/acme/kafka/orders.yaml";

std::vector<std::string> Formatted(const FileDiff& diff) {
  std::vector<std::string> out;
  for (const auto& f : diff.fields) out.push_back(specs::FormatFieldChange(f));
  return out;
}

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("history"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  History Read(const testing::FleetRepo& fleet, HistoryRequest request) {
    auto repo = Repository::Open(fleet.bare());
    EXPECT_TRUE(repo.ok());
    auto history = ReadHistory(*repo, request);
    EXPECT_TRUE(history.ok()) << history.status().ToString();
    return history.ok() ? *history : History{};
  }
  std::string dir_;
};

TEST_F(HistoryTest, EditsNewestFirstWithTheControllerCommitsTheyCaused) {
  testing::FleetRepo fleet(dir_);
  std::string created = fleet.Git("rev-parse main");
  auto cake = testing::LayerCake::Create(fleet.bare());
  ASSERT_TRUE(cake.ok()) << cake.status().ToString();
  ASSERT_TRUE((*cake)->Settle().ok());
  fleet.Edit(kOrders, "cku: 2", "cku: 4");
  std::string grow = fleet.Push("orders to 4 CKU");
  ASSERT_TRUE((*cake)->Settle().ok());
  fleet.Edit(kOrders, "team: commerce", "team: checkout");
  std::string relabel = fleet.Push("orders belongs to checkout");
  ASSERT_TRUE((*cake)->Settle().ok());

  History h = Read(fleet, {"KafkaCluster/acme/orders"});
  EXPECT_EQ(h.path, kOrders);
  ASSERT_EQ(h.entries.size(), 3u);
  EXPECT_EQ(h.entries[0].commit, relabel);
  EXPECT_THAT(Formatted(h.entries[0].file),
              ElementsAre("metadata.labels.team: commerce → checkout"));
  EXPECT_EQ(h.entries[1].commit, grow);
  EXPECT_EQ(h.entries[1].author_name, "Ada");
  EXPECT_EQ(h.entries[1].author_email, "ada@example.com");
  EXPECT_EQ(h.entries[1].subject, "orders to 4 CKU");
  EXPECT_EQ(h.entries[1].file.change, FileChange::kUpdated);
  EXPECT_THAT(Formatted(h.entries[1].file), ElementsAre("spec.cku: 2 → 4"));
  EXPECT_EQ(h.entries[2].commit, created);
  EXPECT_EQ(h.entries[2].file.change, FileChange::kCreated);

  // pkc → capacity → sync, each caused by the one before, each with the files of orders only.
  const auto& caused = h.entries[1].caused;
  ASSERT_EQ(caused.size(), 3u);
  EXPECT_EQ(caused[0].controller, "pkc");
  EXPECT_EQ(caused[0].cause, grow);
  ASSERT_EQ(caused[0].files.size(), 1u);
  EXPECT_EQ(caused[0].files[0].path, "derived/pkc/acme/pkc-acme-orders.yaml");
  EXPECT_THAT(Formatted(caused[0].files[0]),
              ElementsAre("spec.brokers: 6 → 12", "spec.tenants[0].cku: 2 → 4"));
  EXPECT_EQ(caused[1].controller, "capacity");
  EXPECT_EQ(caused[1].cause, caused[0].commit);
  ASSERT_EQ(caused[1].files.size(), 1u);
  EXPECT_EQ(caused[1].files[0].path,
            "derived/capacity/aws-us-west-2/k8s-acme-orders-privatelink.yaml");
  EXPECT_THAT(Formatted(caused[1].files[0]), ElementsAre("spec.nodePools[0].nodes: 9 → 15"));
  EXPECT_EQ(caused[2].controller, "sync");
  EXPECT_EQ(caused[2].cause, caused[1].commit);
  ASSERT_EQ(caused[2].files.size(), 2u);
  EXPECT_EQ(
      caused[2].files[0].path,
      "satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/k8s-acme-orders-privatelink.yaml");
  EXPECT_THAT(Formatted(caused[2].files[0]),
              ElementsAre("spec.resource.spec.nodePools[0].nodes: 9 → 15"));
  EXPECT_EQ(caused[2].files[1].path,
            "satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml");

  // --limit keeps the newest.
  History limited = Read(fleet, {"KafkaCluster/acme/orders", "main", 0, 1});
  ASSERT_EQ(limited.entries.size(), 1u);
  EXPECT_EQ(limited.entries[0].commit, relabel);
}

TEST_F(HistoryTest, ADeleteThenARecoverShowTheDerivedFilesGoingAndComing) {
  testing::FleetRepo fleet(dir_);
  auto cake = testing::LayerCake::Create(fleet.bare());
  ASSERT_TRUE(cake.ok());
  ASSERT_TRUE((*cake)->Settle().ok());
  std::string before = fleet.Read(kOrders);
  fleet.Remove(kOrders);
  std::string deleted = fleet.Push("remove orders");
  ASSERT_TRUE((*cake)->Settle().ok());
  fleet.Write(kOrders, before);
  std::string back = fleet.Push("orders is back");
  ASSERT_TRUE((*cake)->Settle().ok());

  History h = Read(fleet, {"KafkaCluster/acme/orders"});
  ASSERT_EQ(h.entries.size(), 3u);
  EXPECT_EQ(h.entries[0].commit, back);
  EXPECT_EQ(h.entries[0].file.change, FileChange::kCreated);
  EXPECT_EQ(h.entries[1].commit, deleted);
  EXPECT_EQ(h.entries[1].file.change, FileChange::kDeleted);
  auto paths = [](const HistoryEntry& e, FileChange change) {
    std::vector<std::string> out;
    for (const auto& c : e.caused) {
      for (const auto& f : c.files) {
        if (f.change == change) out.push_back(c.controller + " " + f.path);
      }
    }
    return out;
  };
  std::vector<std::string> gone = paths(h.entries[1], FileChange::kDeleted);
  EXPECT_THAT(
      gone,
      ::testing::IsSupersetOf(
          {"pkc derived/pkc/acme/pkc-acme-orders.yaml",
           "sync satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml"}));
  std::vector<std::string> returned = paths(h.entries[0], FileChange::kCreated);
  EXPECT_THAT(
      returned,
      ::testing::IsSupersetOf(
          {"pkc derived/pkc/acme/pkc-acme-orders.yaml",
           "sync satellites/aws-us-west-2-1/k8s-acme-orders-privatelink/pkc-acme-orders.yaml"}));
}

TEST_F(HistoryTest, FollowsARenameBetweenOrgs) {
  testing::FleetRepo fleet(dir_);
  std::string text = fleet.Read("tenants/acme/kafka/sandbox.yaml");
  fleet.Remove("tenants/acme/kafka/sandbox.yaml");
  size_t org = text.find("org: acme");
  ASSERT_NE(org, std::string::npos);
  fleet.Write("tenants/globex/kafka/sandbox.yaml", text.replace(org, 9, "org: globex"));
  std::string moved = fleet.Push("sandbox moves to globex");

  History h = Read(fleet, {"KafkaCluster/globex/sandbox"});
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].commit, moved);
  EXPECT_EQ(h.entries[0].renamed_from, "tenants/acme/kafka/sandbox.yaml");
  EXPECT_EQ(h.entries[0].file.change, FileChange::kUpdated);
  EXPECT_THAT(Formatted(h.entries[0].file), ElementsAre("metadata.org: acme → globex"));
  EXPECT_EQ(h.entries[1].file.path, "tenants/acme/kafka/sandbox.yaml");
  EXPECT_EQ(h.entries[1].file.change, FileChange::kCreated);
}

TEST_F(HistoryTest, AForcePushHidesTheRewrittenCommits) {
  testing::FleetRepo fleet(dir_);
  fleet.Edit(kOrders, "cku: 2", "cku: 3");
  std::string dropped = fleet.Push("orders to 3");
  testing::Sh("git -C " + fleet.work() + " reset -q --hard HEAD~1");
  fleet.Edit(kOrders, "cku: 2", "cku: 5");
  testing::Sh("cd " + fleet.work() +
              " && git -c user.name=Bo -c user.email=bo@example.com "
              "commit -qam 'orders to 5' && git push -qf origin HEAD:main");
  History h = Read(fleet, {"KafkaCluster/acme/orders"});
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].author_name, "Bo");
  EXPECT_THAT(Formatted(h.entries[0].file), ElementsAre("spec.cku: 2 → 5"));
  EXPECT_NE(h.entries[0].commit, dropped);
  EXPECT_NE(h.entries[1].commit, dropped);
}

TEST_F(HistoryTest, AMalformedKeyIsInvalidArgumentAndAnAbsentOneHasNoEntries) {
  testing::FleetRepo fleet(dir_);
  auto repo = Repository::Open(fleet.bare());
  ASSERT_TRUE(repo.ok());
  EXPECT_EQ(ReadHistory(*repo, {"KafkaCluster/acme"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadHistory(*repo, {"Gadget/acme/x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadHistory(*repo, {"PhysicalKafkaCluster/pkc-1"}).status().code(),
            StatusCode::kInvalidArgument);
  auto none = ReadHistory(*repo, {"KafkaCluster/acme/nothing"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_EQ(ReadHistory(*repo, {"KafkaCluster/acme/orders", "nope"}).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::audit
