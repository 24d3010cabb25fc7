// DashboardApi: the dashboard's read-only JSON API, over the same git and status reads as
// `strata status`, `strata history` and `strata rollout status`. Every answer is a JSON object;
// an error is {"error": "…"} with 400 (a bad parameter), 404 (no such key, commit, rollout or
// path) or 500 (git cannot be read).
//
//   /api/fleet                  the fleet summary: logical clusters by phase, by cloud, region and
//                               satellite, the orgs, SKUs and clouds there are, every Failed,
//                               Degraded or stuck resource with its reason (the first 200, with
//                               the total), the rejections (apart: they are people's to fix); plus branch, head,
//                               reconciled (the reconciler's checkpoint) and statusCaughtUp
//   /api/clusters?org=&sku=&phase=&cloud=&region=&satellite=&q=&offset=&limit=
//                               one page of logical clusters (limit 1..500, default 50), by key
//   /api/cluster?key=K          one logical cluster: its row, down the layers (ClusterLayers) and
//                               its history (the last 20 changes, with the commits they caused)
//   /api/change?commit=SHA      where a commit's change has got to (ChangeProgress)
//   /api/commits?limit=N        the branch's newest first-parent commits (default 20, max 200)
//   /api/rollouts               every rollout with its phase and counts
//   /api/rollout?name=N         one rollout as `strata rollout status -o json` gives it
//
// Thread-safe: each call opens its own repository handle and reads the state under its locks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "reconciler/dashboard/dashboard_state.h"

namespace strata::dashboard {

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON
};

using ApiParams = std::map<std::string, std::string>;

class DashboardApi {
 public:
  // `now_millis` is the clock that dates stuck resources.
  DashboardApi(std::string repo_path, std::string branch, const DashboardState& state,
               std::function<int64_t()> now_millis);

  // `path` is the request path ("/api/fleet"); unknown paths answer 404.
  ApiResponse Handle(const std::string& path, const ApiParams& params) const;

 private:
  ApiResponse Fleet() const;
  ApiResponse Clusters(const ApiParams& params) const;
  ApiResponse Cluster(const ApiParams& params) const;
  ApiResponse Change(const ApiParams& params) const;
  ApiResponse Commits(const ApiParams& params) const;
  ApiResponse Rollouts() const;
  ApiResponse Rollout(const ApiParams& params) const;

  std::string repo_path_;
  std::string branch_;
  const DashboardState& state_;
  std::function<int64_t()> now_millis_;
};

}  // namespace strata::dashboard
