// The three renderings of a UsageReport for `strata usage`. Hours are the exact seconds divided by
// 3,600, rounded half up to two decimals in the table and the CSV; an org's total is rounded from
// its exact seconds, so it can differ from the sum of its rounded rows by a cent of an hour.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "reconciler/audit/usage.h"

namespace strata::audit {

// "720.50": seconds / 3600 with two decimals, rounded half up.
std::string FormatHours(int64_t seconds);

// Aligned columns ORG CLUSTER SKU CLOUD REGION CLUSTER-HOURS CKU-HOURS, one row per
// (org, cluster, sku, cloud, region), then each org's total on a line of its own, then the total
// of everything. A report without rows says so in one line.
std::string FormatUsageTable(const UsageReport& report);

// A header row `org,cluster,sku,cloud,region,cluster_hours,cku_hours`, then the rows (no totals:
// a spreadsheet sums them). Every field is a DNS label or a number, so none needs quoting.
std::string FormatUsageCsv(const UsageReport& report);

// {"branch","head","from","to","org" (null for all),"clusters":[{org,cluster,sku,cloud,region,
//  clusterHours,ckuHours,clusterSeconds,ckuSeconds}],"orgs":[{org,clusterHours,ckuHours,
//  clusterSeconds,ckuSeconds}],"warnings":[{commit,file,problem,keptLastValidState}]}
// Hours are numbers rounded to two decimals; the seconds are exact.
std::string FormatUsageJson(const UsageReport& report, const UsageQuery& query);

}  // namespace strata::audit
