#include "reconciler/audit/usage_format.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/change_event.h"
#include "reconciler/audit/dates.h"

namespace strata::audit {
namespace {

int64_t CentiHours(int64_t seconds) { return (seconds * 100 + 1800) / 3600; }

struct OrgTotal {
  std::string org;
  int64_t cluster_seconds = 0;
  int64_t cku_seconds = 0;
};

// The rows are ordered by org, so each org's rows are adjacent.
std::vector<OrgTotal> TotalsByOrg(const std::vector<UsageRow>& rows) {
  std::vector<OrgTotal> totals;
  for (const UsageRow& row : rows) {
    if (totals.empty() || totals.back().org != row.org) totals.push_back({row.org, 0, 0});
    totals.back().cluster_seconds += row.cluster_seconds;
    totals.back().cku_seconds += row.cku_seconds;
  }
  return totals;
}

}  // namespace

std::string FormatHours(int64_t seconds) {
  int64_t centi = CentiHours(seconds);
  char out[48];
  std::snprintf(out, sizeof out, "%lld.%02lld", static_cast<long long>(centi / 100),
                static_cast<long long>(centi % 100));
  return out;
}

std::string FormatUsageTable(const UsageReport& report) {
  if (report.rows.empty()) return "no cluster-hours in this period\n";
  using Line = std::array<std::string, 7>;
  std::vector<Line> lines;
  lines.push_back({"ORG", "CLUSTER", "SKU", "CLOUD", "REGION", "CLUSTER-HOURS", "CKU-HOURS"});
  std::vector<OrgTotal> totals = TotalsByOrg(report.rows);
  size_t next_total = 0;
  int64_t all_cluster = 0;
  int64_t all_cku = 0;
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const UsageRow& row = report.rows[i];
    lines.push_back({row.org, row.cluster, row.sku, row.cloud, row.region,
                     FormatHours(row.cluster_seconds), FormatHours(row.cku_seconds)});
    if (i + 1 == report.rows.size() || report.rows[i + 1].org != row.org) {
      const OrgTotal& total = totals[next_total++];
      lines.push_back({total.org, "(total)", "", "", "", FormatHours(total.cluster_seconds),
                       FormatHours(total.cku_seconds)});
      all_cluster += total.cluster_seconds;
      all_cku += total.cku_seconds;
    }
  }
  lines.push_back({"(all)", "", "", "", "", FormatHours(all_cluster), FormatHours(all_cku)});
  std::array<size_t, 7> width{};
  for (const Line& line : lines) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (const Line& line : lines) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      bool numeric = c >= 5;  // hours align right
      std::string pad(width[c] - line[c].size(), ' ');
      text += numeric ? pad + line[c] : line[c] + pad;
      if (c + 1 < line.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

std::string FormatUsageCsv(const UsageReport& report) {
  std::string out = "org,cluster,sku,cloud,region,cluster_hours,cku_hours\n";
  for (const UsageRow& row : report.rows) {
    out += row.org + "," + row.cluster + "," + row.sku + "," + row.cloud + "," + row.region + "," +
           FormatHours(row.cluster_seconds) + "," + FormatHours(row.cku_seconds) + "\n";
  }
  return out;
}

std::string FormatUsageJson(const UsageReport& report, const UsageQuery& query) {
  auto hours = [](int64_t seconds) { return static_cast<double>(CentiHours(seconds)) / 100.0; };
  nlohmann::ordered_json out;
  out["branch"] = query.branch;
  out["head"] = report.head;
  out["from"] = FormatRfc3339Utc(query.from);
  out["to"] = FormatRfc3339Utc(query.to);
  out["org"] =
      query.org.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(query.org);
  out["clusters"] = nlohmann::ordered_json::array();
  for (const UsageRow& row : report.rows) {
    out["clusters"].push_back({{"org", row.org},
                               {"cluster", row.cluster},
                               {"sku", row.sku},
                               {"cloud", row.cloud},
                               {"region", row.region},
                               {"clusterHours", hours(row.cluster_seconds)},
                               {"ckuHours", hours(row.cku_seconds)},
                               {"clusterSeconds", row.cluster_seconds},
                               {"ckuSeconds", row.cku_seconds}});
  }
  out["orgs"] = nlohmann::ordered_json::array();
  for (const OrgTotal& total : TotalsByOrg(report.rows)) {
    out["orgs"].push_back({{"org", total.org},
                           {"clusterHours", hours(total.cluster_seconds)},
                           {"ckuHours", hours(total.cku_seconds)},
                           {"clusterSeconds", total.cluster_seconds},
                           {"ckuSeconds", total.cku_seconds}});
  }
  out["warnings"] = nlohmann::ordered_json::array();
  for (const UsageWarning& warning : report.warnings) {
    out["warnings"].push_back({{"commit", warning.commit},
                               {"file", warning.file},
                               {"problem", warning.problem},
                               {"keptLastValidState", warning.kept_last}});
  }
  return out.dump(2) + "\n";
}

}  // namespace strata::audit
