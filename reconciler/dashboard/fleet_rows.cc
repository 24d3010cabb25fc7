#include "reconciler/dashboard/fleet_rows.h"

#include <set>

#include "reconciler/rollout/time_text.h"

namespace strata::dashboard {
namespace {

using nlohmann::ordered_json;

std::string FirstFailingCondition(const ResourceStatus& status) {
  for (const StatusCondition& c : status.conditions) {
    if (!c.status) return c.reason + ": " + c.message;
  }
  return "";
}

std::string RejectionText(const ChangeEvent& rejection) {
  std::string text;
  for (const EventError& e : rejection.errors) {
    if (!text.empty()) text += "; ";
    text += e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
            (e.field.empty() ? "" : e.field + ": ") + e.message;
  }
  std::string by = rejection.controller.empty() ? "the reconciler" : rejection.controller;
  return "rejected by " + by + (text.empty() ? "" : ": " + text);
}

bool Stale(const std::string& observed_at, int64_t now_millis) {
  std::optional<int64_t> at = rollout::ParseMillis(observed_at);
  return at.has_value() && now_millis - *at > kStuckAfterMillis;
}

// Rejections are listed apart: they wait for people, not for the control plane.
bool IsProblemPhase(const std::string& phase) { return phase == "Failed" || phase == "Degraded"; }

std::string MinutesSince(int64_t since_millis, int64_t now_millis) {
  return std::to_string((now_millis - since_millis) / 60000) + " min";
}

// Counts by phase, per group, in name order.
ordered_json Groups(const std::map<std::string, std::map<std::string, int>>& groups) {
  ordered_json out = ordered_json::array();
  for (const auto& [name, phases] : groups) {
    int total = 0;
    for (const auto& [phase, n] : phases) total += n;
    out.push_back({{"name", name}, {"total", total}, {"phases", phases}});
  }
  return out;
}

}  // namespace

FleetRow MakeRow(const LogicalCluster& cluster, const FleetIndex& index,
                 const status::StatusBoard& board, int64_t now_millis) {
  FleetRow row;
  row.cluster = &cluster;
  row.physical = index.PhysicalOf(cluster.key);
  row.cloud = cluster.cloud;
  row.region = cluster.region;
  const FleetIndex::Physical* physical = row.physical.empty() ? nullptr : index.FindPhysical(row.physical);
  if (physical != nullptr) {
    row.shared = physical->shared;
    if (row.cloud.empty()) row.cloud = physical->cloud;
    if (row.region.empty()) row.region = physical->region;
  }
  const ResourceStatus* status = nullptr;
  if (!row.physical.empty()) {
    auto seen = board.observed.find(row.physical);
    if (seen != board.observed.end()) status = &seen->second;
  }
  if (status != nullptr) {
    row.satellite = status->satellite;
    row.k8s_cluster = status->k8s_cluster;
    row.observed_at = status->observed_at;
    row.brokers_ready = status->brokers_ready;
    row.brokers_desired = status->brokers_desired;
    row.version = status->version;
  }
  if (auto rejected = board.rejected.find(cluster.key); rejected != board.rejected.end()) {
    row.phase = "Rejected";
    row.reason = RejectionText(rejected->second);
    return row;
  }
  if (row.physical.empty()) {
    row.phase = "Pending";
    row.reason = "not placed on a physical cluster yet";
    return row;
  }
  // Since when the branch has held what the agent should be running.
  int64_t waiting_since = physical != nullptr ? physical->seen_at_millis : 0;
  bool waited_long = waiting_since != 0 && now_millis - waiting_since > kStuckAfterMillis;
  if (status == nullptr) {
    row.phase = "Pending";
    row.reason = "no agent has reported " + row.physical + " yet";
    row.stuck = waited_long;
    if (row.stuck) row.reason += " (" + MinutesSince(waiting_since, now_millis) + ")";
    return row;
  }
  row.phase = status->phase;
  row.reason = FirstFailingCondition(*status);
  if (physical != nullptr && !physical->computed_at.empty() && !status->computed_at.empty() &&
      status->computed_at != physical->computed_at && status->phase != "Deleting" &&
      status->phase != "Failed") {
    row.phase = "Applying";
    row.reason = "the branch has " + row.physical + " as computed at " +
                 physical->computed_at.substr(0, 12) + "; its agent runs the one of " +
                 status->computed_at.substr(0, 12);
    row.stuck = waited_long;
    if (row.stuck) row.reason += ", for " + MinutesSince(waiting_since, now_millis);
    return row;
  }
  row.stuck = row.phase != "Ready" && Stale(row.observed_at, now_millis);
  if (row.stuck && row.reason.empty()) row.reason = "no change reported since " + row.observed_at;
  return row;
}

ordered_json RowJson(const FleetRow& row) {
  const LogicalCluster& c = *row.cluster;
  return {{"key", c.key},
          {"kind", c.kind},
          {"org", c.org},
          {"name", c.name},
          {"sku", c.sku},
          {"cloud", row.cloud},
          {"region", row.region},
          {"physical", row.physical},
          {"shared", row.shared},
          {"k8sCluster", row.k8s_cluster},
          {"satellite", row.satellite},
          {"phase", row.phase},
          {"reason", row.reason},
          {"stuck", row.stuck},
          {"observedAt", row.observed_at},
          {"brokersReady", row.brokers_ready},
          {"brokersDesired", row.brokers_desired},
          {"version", row.version}};
}

bool RowFilter::Matches(const FleetRow& row) const {
  const LogicalCluster& c = *row.cluster;
  return (org.empty() || c.org == org) && (sku.empty() || c.sku == sku) &&
         (phase.empty() || row.phase == phase) && (cloud.empty() || row.cloud == cloud) &&
         (region.empty() || row.region == region || row.cloud + "/" + row.region == region) &&
         (satellite.empty() || row.satellite == satellite ||
          (satellite == kNoSatellite && row.satellite.empty())) &&
         (q.empty() || c.key.find(q) != std::string::npos);
}

bool RowFilter::empty() const {
  return org.empty() && sku.empty() && phase.empty() && cloud.empty() && region.empty() &&
         satellite.empty() && q.empty();
}

ordered_json FleetSummary(const std::vector<FleetRow>& rows, const status::StatusBoard& board,
                          int64_t now_millis, size_t max_problems) {
  std::map<std::string, int> phases;
  std::map<std::string, std::map<std::string, int>> by_cloud, by_region, by_satellite;
  std::set<std::string> orgs, skus, clouds;
  ordered_json problems = ordered_json::array();
  size_t problems_total = 0;
  auto add_problem = [&](ordered_json problem) {
    ++problems_total;
    if (problems.size() < max_problems) problems.push_back(std::move(problem));
  };
  for (const FleetRow& row : rows) {
    const LogicalCluster& c = *row.cluster;
    ++phases[row.phase];
    if (!row.cloud.empty()) {
      ++by_cloud[row.cloud][row.phase];
      ++by_region[row.cloud + "/" + row.region][row.phase];
      clouds.insert(row.cloud);
    }
    ++by_satellite[row.satellite.empty() ? kNoSatellite : row.satellite][row.phase];
    orgs.insert(c.org);
    if (!c.sku.empty()) skus.insert(c.sku);
    if (IsProblemPhase(row.phase) || row.stuck) {
      add_problem({{"key", c.key}, {"phase", row.phase}, {"reason", row.reason},
                   {"stuck", row.stuck}, {"satellite", row.satellite},
                   {"observedAt", row.observed_at}});
    }
  }
  // The layers below the logical clusters: Kubernetes clusters and satellites.
  for (const auto& [key, s] : board.observed) {
    if (key.rfind("K8sCluster/", 0) != 0 && key.rfind("Satellite/", 0) != 0) continue;
    bool stuck = s.phase != "Ready" && s.phase != "Deleted" && Stale(s.observed_at, now_millis);
    if (!IsProblemPhase(s.phase) && !stuck) continue;
    std::string reason = FirstFailingCondition(s);
    add_problem({{"key", key}, {"phase", s.phase},
                 {"reason", reason.empty() && stuck ? "no change reported since " + s.observed_at : reason},
                 {"stuck", stuck}, {"satellite", s.satellite}, {"observedAt", s.observed_at}});
  }
  ordered_json satellites = Groups(by_satellite);
  for (ordered_json& sat : satellites) {
    auto seen = board.observed.find("Satellite/" + sat["name"].get<std::string>());
    if (seen == board.observed.end()) {
      sat["status"] = nullptr;
      continue;
    }
    const ResourceStatus& s = seen->second;
    sat["status"] = {{"phase", s.phase}, {"sliceCommit", s.slice_commit},
                     {"fleetCommit", s.fleet_commit}, {"observedAt", s.observed_at},
                     {"resources", s.resources}};
  }
  ordered_json rejected = ordered_json::array();
  for (const auto& [key, e] : board.rejected) {
    ordered_json errors = ordered_json::array();
    for (const EventError& err : e.errors) {
      errors.push_back({{"file", err.file}, {"line", err.line}, {"column", err.column},
                        {"field", err.field}, {"message", err.message}});
    }
    rejected.push_back({{"key", key}, {"controller", e.controller}, {"commit", e.commit}, {"errors", errors}});
  }
  ordered_json out;
  out["clusters"] = rows.size();
  out["phases"] = phases;
  out["byCloud"] = Groups(by_cloud);
  out["byRegion"] = Groups(by_region);
  out["bySatellite"] = std::move(satellites);
  out["orgs"] = orgs;
  out["skus"] = skus;
  out["clouds"] = clouds;
  out["problems"] = std::move(problems);
  out["problemsTotal"] = problems_total;
  out["rejected"] = std::move(rejected);
  return out;
}

}  // namespace strata::dashboard
