// ComputeUsage on hand-made histories with chosen commit times, whose bills are worked out by hand.
#include "reconciler/audit/usage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_support.h"
#include "reconciler/audit/dates.h"
#include "reconciler/audit/usage_test_support.h"

namespace strata::audit {
namespace {

using testing::KafkaClusterYaml;
using testing::KafkaPath;
using testing::TimedHistory;

constexpr int64_t kHour = 3600;
const int64_t kT0 = *ParseInstant("2026-01-01");

UsageRow Row(std::string org, std::string cluster, std::string sku, std::string cloud,
             std::string region, int64_t cluster_hours, int64_t cku_hours) {
  return {std::move(org),    std::move(cluster),    std::move(sku),   std::move(cloud),
          std::move(region), cluster_hours * kHour, cku_hours * kHour};
}

std::string Dedicated(const std::string& org, const std::string& name, int cku,
                      const std::string& region = "us-west-2") {
  return KafkaClusterYaml(org, name, "dedicated", "aws", region, cku);
}

class UsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("usage");
    history_.emplace(dir_ + "/fleet.git");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  UsageReport Usage(int64_t from, int64_t to, const std::string& org = "") {
    UsageQuery query;
    query.from = from;
    query.to = to;
    query.org = org;
    Result<UsageReport> report = ComputeUsage(history_->repo(), query);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : UsageReport{};
  }

  // Created at t0 + 1 h with 2 CKU, resized to 4 CKU at t0 + 11 h, deleted at t0 + 31 h.
  void CreateResizeDelete() {
    history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
    history_->Put(kT0 + 11 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 4));
    history_->Remove(kT0 + 31 * kHour, KafkaPath("acme", "orders"));
  }

  std::string dir_;
  std::optional<TimedHistory> history_;
};

TEST_F(UsageTest, CreatedResizedDeletedBillsItsExactHours) {
  CreateResizeDelete();
  UsageReport report = Usage(kT0, kT0 + 48 * kHour);
  // 30 hours alive; 10 of them at 2 CKU, 20 at 4 CKU.
  EXPECT_THAT(report.rows, ::testing::ElementsAre(
                               Row("acme", "orders", "dedicated", "aws", "us-west-2", 30, 100)));
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_TRUE(report.org_found);
}

TEST_F(UsageTest, AWindowThatStartsAndEndsMidIntervalCountsOnlyItsPart) {
  CreateResizeDelete();
  // From t0 + 6 h (2 CKU, as the commit of t0 + 1 h left it) to t0 + 21 h (4 CKU since 11 h).
  UsageReport report = Usage(kT0 + 6 * kHour, kT0 + 21 * kHour);
  EXPECT_THAT(report.rows, ::testing::ElementsAre(
                               Row("acme", "orders", "dedicated", "aws", "us-west-2", 15, 50)));
  // Only the commits after the one at t0 + 6 h are read, back to that one: not the whole line.
  EXPECT_EQ(report.commits_read, 3u);
}

TEST_F(UsageTest, AWindowBeforeTheFirstCommitOrAfterTheDeletionIsEmpty) {
  CreateResizeDelete();
  EXPECT_TRUE(Usage(kT0 - 10 * kHour, kT0).rows.empty());
  EXPECT_TRUE(Usage(kT0 + 40 * kHour, kT0 + 50 * kHour).rows.empty());
  EXPECT_TRUE(Usage(kT0 + 5 * kHour, kT0 + 5 * kHour).rows.empty());
}

TEST_F(UsageTest, ARegionOrSkuChangeOpensARowOfItsOwn) {
  history_->Put(kT0, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  history_->Put(kT0 + 4 * kHour, KafkaPath("acme", "orders"),
                Dedicated("acme", "orders", 2, "us-east-1"));
  history_->Put(kT0 + 10 * kHour, KafkaPath("acme", "orders"),
                KafkaClusterYaml("acme", "orders", "standard", "aws", "us-east-1", std::nullopt));
  UsageReport report = Usage(kT0, kT0 + 12 * kHour);
  EXPECT_THAT(report.rows,
              ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-east-1", 6, 12),
                                     Row("acme", "orders", "dedicated", "aws", "us-west-2", 4, 8),
                                     Row("acme", "orders", "standard", "aws", "us-east-1", 2, 0)));
}

TEST_F(UsageTest, BasicAndStandardClustersBillClusterHoursAndNoCkuHours) {
  history_->Commit(
      kT0, {{KafkaPath("acme", "web"),
             KafkaClusterYaml("acme", "web", "basic", "gcp", "europe-west1", std::nullopt)},
            {KafkaPath("acme", "shop"),
             KafkaClusterYaml("acme", "shop", "standard", "azure", "westeurope", std::nullopt)}});
  UsageReport report = Usage(kT0, kT0 + 24 * kHour);
  EXPECT_THAT(report.rows,
              ::testing::ElementsAre(Row("acme", "shop", "standard", "azure", "westeurope", 24, 0),
                                     Row("acme", "web", "basic", "gcp", "europe-west1", 24, 0)));
}

TEST_F(UsageTest, ARenameBetweenOrgsMovesTheHoursFromTheRenameCommit) {
  history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  history_->Commit(kT0 + 10 * kHour,
                   {{KafkaPath("acme", "orders"), std::nullopt},
                    {KafkaPath("globex", "orders"), Dedicated("globex", "orders", 2)}},
                   "move orders to globex");
  EXPECT_THAT(
      Usage(kT0, kT0 + 20 * kHour).rows,
      ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-west-2", 9, 18),
                             Row("globex", "orders", "dedicated", "aws", "us-west-2", 10, 20)));
  EXPECT_THAT(
      Usage(kT0, kT0 + 20 * kHour, "globex").rows,
      ::testing::ElementsAre(Row("globex", "orders", "dedicated", "aws", "us-west-2", 10, 20)));
  EXPECT_THAT(
      Usage(kT0, kT0 + 20 * kHour, "acme").rows,
      ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-west-2", 9, 18)));
  // The org left acme for good: its directory is gone, but it was there in the window.
  EXPECT_TRUE(Usage(kT0, kT0 + 20 * kHour, "acme").org_found);
  EXPECT_TRUE(Usage(kT0 + 15 * kHour, kT0 + 20 * kHour, "acme").rows.empty());
}

TEST_F(UsageTest, AfterAForcePushOnlyTheRewrittenHistoryCounts) {
  std::string created =
      history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  history_->Put(kT0 + 5 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 8));
  // The 8-CKU commit is thrown away: main is rewritten onto `created`, with 4 CKU at t0 + 6 h.
  history_->Commit(kT0 + 6 * kHour, {{KafkaPath("acme", "orders"), Dedicated("acme", "orders", 4)}},
                   "resize to 4 instead", created);
  EXPECT_THAT(Usage(kT0, kT0 + 10 * kHour).rows,
              ::testing::ElementsAre(
                  Row("acme", "orders", "dedicated", "aws", "us-west-2", 9, 2 * 5 + 4 * 4)));
}

TEST_F(UsageTest, AnInvalidCommitKeepsBillingTheLastValidStateAndIsNamed) {
  history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  std::string bad = history_->Put(kT0 + 3 * kHour, KafkaPath("acme", "orders"),
                                  Dedicated("acme", "orders", 0));  // below the schema's minimum
  history_->Put(kT0 + 7 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 4));
  UsageReport report = Usage(kT0, kT0 + 10 * kHour);
  EXPECT_THAT(report.rows, ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws",
                                                      "us-west-2", 9, 2 * 6 + 4 * 3)));
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].commit, bad);
  EXPECT_EQ(report.warnings[0].file, "tenants/acme/kafka/orders.yaml");
  EXPECT_THAT(report.warnings[0].problem, ::testing::HasSubstr("spec.cku"));
  EXPECT_TRUE(report.warnings[0].kept_last);
}

TEST_F(UsageTest, AFileAlreadyInvalidAtTheStartBillsTheStateBeforeTheBadCommit) {
  history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  std::string bad = history_->Put(kT0 + 3 * kHour, KafkaPath("acme", "orders"), "spec: [oops\n");
  history_->Put(kT0 + 4 * kHour, KafkaPath("acme", "orders"), "spec: [still oops\n");
  UsageReport report = Usage(kT0 + 5 * kHour, kT0 + 10 * kHour);
  EXPECT_THAT(report.rows, ::testing::ElementsAre(
                               Row("acme", "orders", "dedicated", "aws", "us-west-2", 5, 10)));
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].commit, bad);
  EXPECT_TRUE(report.warnings[0].kept_last);
}

TEST_F(UsageTest, AClusterThatWasNeverValidBillsNothingAndIsNamed) {
  std::string bad = history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"),
                                  Dedicated("globex", "orders", 2));  // metadata.org disagrees
  UsageReport report = Usage(kT0, kT0 + 10 * kHour);
  EXPECT_TRUE(report.rows.empty());
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].commit, bad);
  EXPECT_THAT(report.warnings[0].problem, ::testing::HasSubstr("metadata.org"));
  EXPECT_FALSE(report.warnings[0].kept_last);
}

TEST_F(UsageTest, OtherOrgsAndControllerCommitsDoNotDisturbTheAnswer) {
  history_->Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  history_->Put(kT0 + 2 * kHour, KafkaPath("globex", "ledger"), Dedicated("globex", "ledger", 6));
  history_->Commit(kT0 + 2 * kHour + 30,
                   {{"derived/pkc/acme/orders.yaml", "kind: PhysicalKafkaCluster\n"}},
                   "pkc: 1 physical cluster updated\n\nStrata-Controller: pkc\n", "", "strata pkc");
  history_->Put(kT0 + 3 * kHour, "policy/skus/dedicated.yaml", "kind: Sku\n");
  history_->Put(kT0 + 4 * kHour, "tenants/acme/connect/sink.yaml", "kind: ConnectCluster\n");
  history_->Remove(kT0 + 8 * kHour, KafkaPath("globex", "ledger"));
  EXPECT_THAT(
      Usage(kT0, kT0 + 10 * kHour, "acme").rows,
      ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-west-2", 9, 18)));
  EXPECT_THAT(
      Usage(kT0, kT0 + 10 * kHour).rows,
      ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-west-2", 9, 18),
                             Row("globex", "ledger", "dedicated", "aws", "us-west-2", 6, 36)));
}

TEST_F(UsageTest, AnUnknownOrgAnswersNothingAndSaysSo) {
  CreateResizeDelete();
  UsageReport report = Usage(kT0, kT0 + 48 * kHour, "initech");
  EXPECT_TRUE(report.rows.empty());
  EXPECT_FALSE(report.org_found);
}

TEST_F(UsageTest, ACommitDatedBeforeItsParentBillsFromItsParentsTime) {
  history_->Put(kT0 + 5 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 2));
  // A clock running late: this commit landed after the previous one, so it changes the bill then.
  history_->Put(kT0 + 2 * kHour, KafkaPath("acme", "orders"), Dedicated("acme", "orders", 4));
  EXPECT_THAT(
      Usage(kT0 + 1 * kHour, kT0 + 10 * kHour).rows,
      ::testing::ElementsAre(Row("acme", "orders", "dedicated", "aws", "us-west-2", 5, 20)));
}

TEST_F(UsageTest, RefusesAnEndBeforeTheStartAMissingBranchAndABadOrg) {
  CreateResizeDelete();
  UsageQuery query;
  query.from = kT0 + kHour;
  query.to = kT0;
  EXPECT_EQ(ComputeUsage(history_->repo(), query).status().code(), StatusCode::kInvalidArgument);
  query.to = kT0 + 2 * kHour;
  query.branch = "nope";
  EXPECT_EQ(ComputeUsage(history_->repo(), query).status().code(), StatusCode::kNotFound);
  query.branch = "main";
  query.org = "../etc";
  EXPECT_EQ(ComputeUsage(history_->repo(), query).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::audit
