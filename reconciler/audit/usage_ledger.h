// UsageLedger: the time-weighted meter behind `strata usage`. It is told, in time order, what each
// KafkaCluster bills from an instant on (its SKU, cloud, region and CKU, or nothing once it is
// gone), keeps one open interval per cluster, and adds every closed interval to the row of its
// (org, cluster, sku, cloud, region). Instants are clamped into the window [from, to] and never go
// back, so a change before the window opens the window's first interval and a change after it
// counts for nothing. Close() ends every interval at `to`.
//
// How CKU count: a cluster sized in CKU (a dedicated one: spec.cku) bills cku × its hours as
// CKU-hours; a basic or standard cluster has no spec.cku, bills 0 CKU-hours, and its cluster-hours
// still count. Pure bookkeeping: no I/O, no errors. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace strata::audit {

// What a cluster bills while it stands as it is.
struct BillingState {
  std::string sku;
  std::string cloud;
  std::string region;
  int64_t cku = 0;  // 0 when the SKU is not sized in CKU

  friend bool operator==(const BillingState&, const BillingState&) = default;
};

// One line of the bill: a cluster's time in one (sku, cloud, region), exact to the second.
struct UsageRow {
  std::string org;
  std::string cluster;
  std::string sku;
  std::string cloud;
  std::string region;
  int64_t cluster_seconds = 0;
  int64_t cku_seconds = 0;  // CKU × seconds

  friend bool operator==(const UsageRow&, const UsageRow&) = default;
};

class UsageLedger {
 public:
  UsageLedger(int64_t from, int64_t to) : from_(from), to_(to), now_(from) {}

  // Moves the clock to `at`, clamped into [from, to] and never backwards (a commit dated before
  // its parent bills from its parent's instant).
  void AdvanceTo(int64_t at);
  int64_t now() const { return now_; }
  // From now on the cluster bills `state`; nullopt: it is gone and bills nothing.
  void Set(const std::string& org, const std::string& cluster, std::optional<BillingState> state);
  // What the cluster bills now; nullptr when nothing.
  const BillingState* Current(const std::string& org, const std::string& cluster) const;

  // Closes every interval at `to` and returns the rows with any time, ordered by org, cluster,
  // sku, cloud and region. The ledger is empty afterwards.
  std::vector<UsageRow> Close();

 private:
  struct Open {
    BillingState state;
    int64_t since = 0;
  };
  using ClusterKey = std::pair<std::string, std::string>;  // org, cluster
  using RowKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  void Book(const ClusterKey& cluster, const Open& open, int64_t until);

  int64_t from_;
  int64_t to_;
  int64_t now_;
  std::map<ClusterKey, Open> open_;
  std::map<RowKey, UsageRow> rows_;
};

}  // namespace strata::audit
