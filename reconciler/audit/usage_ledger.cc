#include "reconciler/audit/usage_ledger.h"

#include <algorithm>

namespace strata::audit {

void UsageLedger::AdvanceTo(int64_t at) { now_ = std::clamp(std::max(now_, at), from_, to_); }

void UsageLedger::Book(const ClusterKey& cluster, const Open& open, int64_t until) {
  int64_t seconds = until - open.since;
  if (seconds <= 0) return;
  RowKey key{cluster.first, cluster.second, open.state.sku, open.state.cloud, open.state.region};
  auto [it, inserted] =
      rows_.try_emplace(key, UsageRow{cluster.first, cluster.second, open.state.sku,
                                      open.state.cloud, open.state.region, 0, 0});
  UsageRow& row = it->second;
  row.cluster_seconds += seconds;
  row.cku_seconds += seconds * open.state.cku;
}

void UsageLedger::Set(const std::string& org, const std::string& cluster,
                      std::optional<BillingState> state) {
  ClusterKey key{org, cluster};
  auto it = open_.find(key);
  if (it != open_.end()) {
    if (state.has_value() && it->second.state == *state) return;  // nothing billable changed
    Book(key, it->second, now_);
    open_.erase(it);
  }
  if (state.has_value()) open_.emplace(std::move(key), Open{std::move(*state), now_});
}

const BillingState* UsageLedger::Current(const std::string& org, const std::string& cluster) const {
  auto it = open_.find({org, cluster});
  return it == open_.end() ? nullptr : &it->second.state;
}

std::vector<UsageRow> UsageLedger::Close() {
  for (const auto& [key, open] : open_) Book(key, open, to_);
  open_.clear();
  std::vector<UsageRow> rows;
  rows.reserve(rows_.size());
  for (auto& entry : rows_) rows.push_back(std::move(entry.second));
  rows_.clear();
  return rows;
}

}  // namespace strata::audit
