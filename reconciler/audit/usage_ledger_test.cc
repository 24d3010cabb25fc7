#include "reconciler/audit/usage_ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::audit {
namespace {

const BillingState kTwoCku{"dedicated", "aws", "us-west-2", 2};
const BillingState kFourCku{"dedicated", "aws", "us-west-2", 4};

TEST(UsageLedgerTest, ClampsChangesIntoTheWindowAndClosesAtItsEnd) {
  UsageLedger ledger(100, 200);
  ledger.AdvanceTo(50);  // before the window: the cluster bills from its start
  ledger.Set("acme", "orders", kTwoCku);
  ledger.AdvanceTo(150);
  ledger.Set("acme", "orders", kFourCku);
  ledger.AdvanceTo(120);  // never backwards
  EXPECT_EQ(ledger.now(), 150);
  ledger.AdvanceTo(500);  // after the window: counts for nothing
  ledger.Set("acme", "orders", std::nullopt);
  EXPECT_THAT(ledger.Close(), ::testing::ElementsAre(UsageRow{"acme", "orders", "dedicated", "aws",
                                                              "us-west-2", 100, 2 * 50 + 4 * 50}));
}

TEST(UsageLedgerTest, AnUnchangedStateKeepsItsIntervalAndGoneClustersStopBilling) {
  UsageLedger ledger(0, 100);
  ledger.Set("acme", "orders", kTwoCku);
  ledger.AdvanceTo(10);
  ledger.Set("acme", "orders", kTwoCku);
  EXPECT_EQ(*ledger.Current("acme", "orders"), kTwoCku);
  ledger.AdvanceTo(30);
  ledger.Set("acme", "orders", std::nullopt);
  EXPECT_EQ(ledger.Current("acme", "orders"), nullptr);
  ledger.AdvanceTo(40);
  ledger.Set("acme", "orders", kTwoCku);
  ledger.Set("acme", "web", BillingState{"basic", "gcp", "europe-west1", 0});
  ledger.AdvanceTo(100);
  ledger.Set("acme", "web", std::nullopt);  // at the end: a zero-length last interval
  EXPECT_THAT(
      ledger.Close(),
      ::testing::ElementsAre(UsageRow{"acme", "orders", "dedicated", "aws", "us-west-2", 90, 180},
                             UsageRow{"acme", "web", "basic", "gcp", "europe-west1", 60, 0}));
}

}  // namespace
}  // namespace strata::audit
