#include "reconciler/audit/recover.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_support.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata::audit {
namespace {

constexpr char kOrders[] = "tenants/acme/kafka/orders.yaml";            // dedicated
constexpr char kClickstream[] = "tenants/acme/kafka/clickstream.yaml";  // standard (shared)

class RecoverTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("recover"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static RecoverPlan Plan(const std::string& repo_path, const RecoverRequest& request) {
    auto repo = Repository::Open(repo_path);
    EXPECT_TRUE(repo.ok());
    auto plan = PlanRecover(*repo, request);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : RecoverPlan{};
  }
  static std::string Commit(const std::string& repo_path, const RecoverPlan& plan) {
    auto repo = Repository::Open(repo_path);
    EXPECT_TRUE(repo.ok());
    auto commit = CommitRecover(*repo, plan, {"Rescuer", "rescue@example.com"});
    EXPECT_TRUE(commit.ok()) << commit.status().ToString();
    return commit.ok() ? OidToHex(*commit) : "";
  }

  // Where the layers placed a logical cluster, read with the git command line: its physical
  // cluster, the Kubernetes cluster that hosts that, and the satellite entries realising both.
  static std::string Placement(const testing::FleetRepo& fleet, const std::string& key) {
    auto grep = [&](const std::string& what, const std::string& where) {
      auto out =
          testing::Sh("git -C " + fleet.bare() + " grep -l -F -e '" + what + "' main -- " + where);
      return out.code == 0 ? out.out : std::string();
    };
    std::string pkc = grep("key: " + key, "derived/pkc");
    std::string out = pkc;
    std::istringstream lines(pkc);
    for (std::string line; std::getline(lines, line);) {
      std::string path = line.substr(line.find(':') + 1);
      out += grep(path, "derived/capacity") + grep("source: " + path, "satellites");
    }
    return out;
  }
  std::string dir_;
};

TEST_F(RecoverTest, DeletedClustersComeBackThroughTheLayersWhereTheyWere) {
  testing::FleetRepo fleet(dir_);
  auto cake = testing::LayerCake::Create(fleet.bare());
  ASSERT_TRUE(cake.ok());
  ASSERT_TRUE((*cake)->Settle().ok());
  std::string dedicated = Placement(fleet, "KafkaCluster/acme/orders");
  std::string shared = Placement(fleet, "KafkaCluster/acme/clickstream");
  ASSERT_THAT(dedicated, ::testing::HasSubstr("main:derived/pkc/acme/pkc-acme-orders.yaml\n"));
  ASSERT_THAT(dedicated, ::testing::HasSubstr("main:satellites/aws-us-west-2-1/"));
  ASSERT_THAT(shared, ::testing::HasSubstr("main:derived/pkc/"));
  ASSERT_THAT(shared, ::testing::HasSubstr("main:satellites/"));
  std::string orders = fleet.Read(kOrders);
  std::string clickstream = fleet.Read(kClickstream);
  // The commit that wrote the versions recovered (the controllers' commits since did not touch
  // them).
  std::string last_good = fleet.Git("log -1 --format=%H main -- " + std::string(kOrders));
  ASSERT_EQ(fleet.Git("log -1 --format=%H main -- " + std::string(kClickstream)), last_good);

  fleet.Remove(kOrders);
  fleet.Remove(kClickstream);
  fleet.Push("clean up (by mistake)");
  ASSERT_TRUE((*cake)->Settle().ok());
  ASSERT_EQ(Placement(fleet, "KafkaCluster/acme/orders"), "");
  ASSERT_EQ(Placement(fleet, "KafkaCluster/acme/clickstream"), "");

  for (const std::string key : {"KafkaCluster/acme/orders", "KafkaCluster/acme/clickstream"}) {
    RecoverPlan plan = Plan(fleet.bare(), {key});
    EXPECT_EQ(plan.head_problem, "deleted");
    EXPECT_EQ(plan.diff.change, FileChange::kCreated);
    EXPECT_EQ(OidToHex(plan.source_commit), last_good);
    EXPECT_THAT(plan.message, ::testing::StartsWith("recover " + key + " as of " +
                                                    last_good.substr(0, 7) + " ("));
    EXPECT_THAT(plan.message, ::testing::HasSubstr("\nStrata-Recovered-From: " + last_good + "\n"));
    Commit(fleet.bare(), plan);
  }
  EXPECT_EQ(fleet.Show(kOrders), orders);
  EXPECT_EQ(fleet.Show(kClickstream), clickstream);
  ASSERT_TRUE((*cake)->Settle().ok());
  EXPECT_EQ(Placement(fleet, "KafkaCluster/acme/orders"), dedicated);
  EXPECT_EQ(Placement(fleet, "KafkaCluster/acme/clickstream"), shared);

  // git agrees with what was written.
  EXPECT_EQ(testing::Sh("git -C " + fleet.bare() + " fsck --strict --no-dangling").code, 0);
  EXPECT_EQ(fleet.Git("log -1 --format='%an%n%ae%n%(trailers:key=Strata-Recovered-From,valueonly)' "
                      "main -- " +
                      std::string(kClickstream)),
            "Rescuer\nrescue@example.com\n" + last_good);
}

TEST_F(RecoverTest, ABrokenFileGoesBackToItsLastValidVersion) {
  testing::FleetRepo fleet(dir_, true);
  fleet.Edit(kOrders, "cku: 2", "cku: 4");
  std::string good = fleet.Push("orders to 4");
  fleet.Edit(kOrders, "cku: 4", "cku: many");  // the schema refuses it
  fleet.Push("orders to many");
  fleet.Edit(kOrders, "sku: dedicated", "sku: [dedicated");  // not YAML
  fleet.Push("typo");

  RecoverPlan plan = Plan(fleet.bare(), {"KafkaCluster/acme/orders"});
  EXPECT_NE(plan.head_problem, "");
  EXPECT_EQ(OidToHex(plan.source_commit), good);
  EXPECT_EQ(plan.source_subject, "orders to 4");
  EXPECT_THAT(plan.content, ::testing::HasSubstr("cku: 4\n"));
  EXPECT_THAT(plan.content, ::testing::HasSubstr("sku: dedicated\n"));
  EXPECT_NE(plan.diff.unreadable, "");  // the head is not YAML: no field diff
  std::string before = fleet.Git("rev-parse main");
  Commit(fleet.bare(), plan);
  EXPECT_EQ(fleet.Git("rev-parse main~1"), before);
  EXPECT_EQ(fleet.Show(kOrders), plan.content);
}

TEST_F(RecoverTest, AtARevisionAndNothingToDoWhenTheHeadIsValid) {
  testing::FleetRepo fleet(dir_);
  std::string two = fleet.Git("rev-parse main");
  fleet.Edit(kOrders, "cku: 2", "cku: 4");
  fleet.Push("orders to 4");

  RecoverPlan nothing = Plan(fleet.bare(), {"KafkaCluster/acme/orders"});
  EXPECT_THAT(nothing.nothing_to_do, ::testing::HasSubstr("present and valid"));

  RecoverPlan back = Plan(fleet.bare(), {"KafkaCluster/acme/orders", "main", two.substr(0, 10)});
  EXPECT_EQ(back.nothing_to_do, "");
  ASSERT_EQ(back.diff.fields.size(), 1u);
  EXPECT_EQ(specs::FormatFieldChange(back.diff.fields[0]), "spec.cku: 4 → 2");
  EXPECT_EQ(OidToHex(back.source_commit), two);

  auto repo = Repository::Open(fleet.bare());
  ASSERT_TRUE(repo.ok());
  EXPECT_EQ(PlanRecover(*repo, {"KafkaCluster/acme/nope", "main", two}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(PlanRecover(*repo, {"KafkaCluster/acme/nope"}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(RecoverTest, InAWorkCloneTheFileTheIndexAndTheCommitAgree) {
  testing::FleetRepo fleet(dir_);
  std::string orders = fleet.Read(kOrders);
  fleet.Remove(kOrders);
  fleet.Push("remove orders");

  // An untracked file where the recovered one would go is a local change: refused.
  fleet.Write(kOrders, "scratch\n");
  auto repo = Repository::Open(fleet.work());
  ASSERT_TRUE(repo.ok());
  RecoverPlan plan = Plan(fleet.work(), {"KafkaCluster/acme/orders"});
  EXPECT_EQ(CommitRecover(*repo, plan, {"R", "r@example.com"}).status().code(),
            StatusCode::kFailedPrecondition);
  fleet.Remove(kOrders);

  std::string commit = Commit(fleet.work(), plan);
  EXPECT_EQ(fleet.Read(kOrders), orders);
  EXPECT_EQ(testing::Sh("git -C " + fleet.work() + " status --porcelain").out, "");
  EXPECT_EQ(testing::Sh("git -C " + fleet.work() + " rev-parse HEAD").out, commit + "\n");
  EXPECT_EQ(testing::Sh("git -C " + fleet.work() + " fsck --strict --no-dangling").code, 0);
}

TEST(RecoverAuthor, ParsesNameAndEmail) {
  auto author = ParseAuthor("Ada Lovelace <ada@example.com>");
  ASSERT_TRUE(author.ok());
  EXPECT_EQ(author->name, "Ada Lovelace");
  EXPECT_EQ(author->email, "ada@example.com");
  EXPECT_EQ(ParseAuthor("ada@example.com").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAuthor("<ada@example.com>").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::audit
