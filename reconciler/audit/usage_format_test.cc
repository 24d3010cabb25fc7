#include "reconciler/audit/usage_format.h"

#include <gtest/gtest.h>

#include "reconciler/audit/dates.h"

namespace strata::audit {
namespace {

UsageReport TwoOrgs() {
  UsageReport report;
  report.head = "0123456789abcdef0123456789abcdef01234567";
  report.rows = {
      {"acme", "orders", "dedicated", "aws", "us-west-2", 30 * 3600, 100 * 3600},
      {"acme", "web", "basic", "gcp", "europe-west1", 90 * 60, 0},     // 1.5 hours
      {"globex", "ledger", "dedicated", "azure", "westeurope", 1, 6},  // rounds to 0.00
  };
  report.warnings = {{"fedcba9876543210fedcba9876543210fedcba98", "tenants/acme/kafka/orders.yaml",
                      "line 9: spec.cku: must be >= 1", true}};
  return report;
}

UsageQuery Query() {
  UsageQuery query;
  query.from = *ParseInstant("2026-01-01");
  query.to = *ParseInstant("2026-01-03T00:00:00Z");
  return query;
}

TEST(UsageFormatTest, HoursHaveTwoDecimalsRoundedHalfUp) {
  EXPECT_EQ(FormatHours(0), "0.00");
  EXPECT_EQ(FormatHours(3600), "1.00");
  EXPECT_EQ(FormatHours(18), "0.01");  // exactly half a cent of an hour
  EXPECT_EQ(FormatHours(17), "0.00");
  EXPECT_EQ(FormatHours(8760 * 3600 * 1000LL), "8760000.00");
}

TEST(UsageFormatTest, TableHasRowsOrgTotalsAndAGrandTotal) {
  EXPECT_EQ(FormatUsageTable(TwoOrgs()),
            "ORG     CLUSTER  SKU        CLOUD  REGION        CLUSTER-HOURS  CKU-HOURS\n"
            "acme    orders   dedicated  aws    us-west-2             30.00     100.00\n"
            "acme    web      basic      gcp    europe-west1           1.50       0.00\n"
            "acme    (total)                                          31.50     100.00\n"
            "globex  ledger   dedicated  azure  westeurope             0.00       0.00\n"
            "globex  (total)                                           0.00       0.00\n"
            "(all)                                                    31.50     100.00\n");
  EXPECT_EQ(FormatUsageTable(UsageReport{}), "no cluster-hours in this period\n");
}

TEST(UsageFormatTest, CsvHasAHeaderAndOneLinePerRow) {
  EXPECT_EQ(FormatUsageCsv(TwoOrgs()),
            "org,cluster,sku,cloud,region,cluster_hours,cku_hours\n"
            "acme,orders,dedicated,aws,us-west-2,30.00,100.00\n"
            "acme,web,basic,gcp,europe-west1,1.50,0.00\n"
            "globex,ledger,dedicated,azure,westeurope,0.00,0.00\n");
}

TEST(UsageFormatTest, JsonCarriesRowsTotalsWarningsAndExactSeconds) {
  UsageReport report = TwoOrgs();
  report.rows.resize(2);
  EXPECT_EQ(FormatUsageJson(report, Query()), R"({
  "branch": "main",
  "head": "0123456789abcdef0123456789abcdef01234567",
  "from": "2026-01-01T00:00:00Z",
  "to": "2026-01-03T00:00:00Z",
  "org": null,
  "clusters": [
    {
      "org": "acme",
      "cluster": "orders",
      "sku": "dedicated",
      "cloud": "aws",
      "region": "us-west-2",
      "clusterHours": 30.0,
      "ckuHours": 100.0,
      "clusterSeconds": 108000,
      "ckuSeconds": 360000
    },
    {
      "org": "acme",
      "cluster": "web",
      "sku": "basic",
      "cloud": "gcp",
      "region": "europe-west1",
      "clusterHours": 1.5,
      "ckuHours": 0.0,
      "clusterSeconds": 5400,
      "ckuSeconds": 0
    }
  ],
  "orgs": [
    {
      "org": "acme",
      "clusterHours": 31.5,
      "ckuHours": 100.0,
      "clusterSeconds": 113400,
      "ckuSeconds": 360000
    }
  ],
  "warnings": [
    {
      "commit": "fedcba9876543210fedcba9876543210fedcba98",
      "file": "tenants/acme/kafka/orders.yaml",
      "problem": "line 9: spec.cku: must be >= 1",
      "keptLastValidState": true
    }
  ]
}
)");
}

}  // namespace
}  // namespace strata::audit
