// FleetRow: one logical cluster as the dashboard lists it — the FleetIndex's facts joined with what
// the agents report of the physical resource it was placed on — and the fleet summary built from
// all rows. Pure functions; thread-safe.
//
// The phase of a logical cluster, in the order a fleet operator looks at them:
//   Rejected     a controller refused its file (the reason names file, line and field)
//   Pending      not placed on a physical resource yet, or no agent has reported that resource
//   Applying     the agent reports an older computation of the physical resource than the branch
//                holds: a change is on its way down
//   Provisioning, Ready, Degraded, Failed, Deleting   as the agent reports the physical resource
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconciler/dashboard/fleet_index.h"
#include "reconciler/status/status_board.h"

namespace strata::dashboard {

// A resource is stuck when it has not got where it is going for this long: Pending or Applying
// since the branch got the physical resource's current computation (agents report only what
// changes, so the age of a report says nothing then), or Provisioning, Degraded or Deleting
// since its last report.
inline constexpr int64_t kStuckAfterMillis = 10 * 60 * 1000;
// The satellite group of the clusters not placed on one yet.
inline constexpr char kNoSatellite[] = "(none yet)";

struct FleetRow {
  const LogicalCluster* cluster = nullptr;
  std::string physical;  // key, "" when not placed
  bool shared = false;
  std::string cloud;
  std::string region;
  std::string phase;
  std::string reason;
  std::string satellite;
  std::string k8s_cluster;
  std::string observed_at;
  int brokers_ready = 0;
  int brokers_desired = 0;
  std::string version;
  bool stuck = false;
};

FleetRow MakeRow(const LogicalCluster& cluster, const FleetIndex& index,
                 const status::StatusBoard& board, int64_t now_millis);

nlohmann::ordered_json RowJson(const FleetRow& row);

// Which rows a list asks for: every non-empty field must match (q: a substring of the key;
// region: "us-east-1" or "aws/us-east-1", as the summary names its groups; satellite:
// kNoSatellite for none).
struct RowFilter {
  std::string org, sku, phase, cloud, region, satellite, q;
  bool Matches(const FleetRow& row) const;
  bool empty() const;
};

// The /api/fleet answer (see dashboard_api.h) over every row, plus the board's own resources that
// are not logical clusters (Kubernetes clusters, satellites) among the problems.
nlohmann::ordered_json FleetSummary(const std::vector<FleetRow>& rows,
                                    const status::StatusBoard& board, int64_t now_millis,
                                    size_t max_problems);

}  // namespace strata::dashboard
