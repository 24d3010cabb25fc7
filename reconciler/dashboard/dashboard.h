// Dashboard: the fleet dashboard, whole — what `strata dashboard` runs and `strata up` starts
// beside the control plane. It follows strata.status into a StatusBoard, watches the fleet
// branch's head (every 500 ms) to keep a FleetIndex current, and serves the page, the JSON API and
// the live event stream (dashboard_server.h) from those. It only reads: git through its own
// handles, Kafka without joining a consumer group.
//
// Errors from Start: kNotFound when the repository or branch does not exist, kInvalidArgument for a
// bad Kafka property, and the server's (a port in use). Afterwards a git or Kafka failure is
// logged and retried; the page shows the last good state. Destroying it stops everything.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/kafka.h"
#include "core/status.h"
#include "reconciler/dashboard/dashboard_api.h"
#include "reconciler/dashboard/dashboard_server.h"
#include "reconciler/dashboard/dashboard_state.h"

namespace strata::dashboard {

struct DashboardConfig {
  std::string repo;  // the fleet repository (bare or not)
  std::string branch = "main";
  KafkaProperties kafka;
  DashboardOptions http;
};

class Dashboard {
 public:
  static Result<std::unique_ptr<Dashboard>> Start(DashboardConfig config);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  std::string url() const { return server_->url(); }
  int port() const { return server_->port(); }
  const DashboardState& state() const { return state_; }

 private:
  explicit Dashboard(DashboardConfig config);
  void WatchHead();

  DashboardConfig config_;
  DashboardState state_;
  DashboardApi api_;
  std::atomic<bool> stop_{false};
  std::thread follower_;
  std::thread watcher_;
  std::unique_ptr<DashboardServer> server_;
};

}  // namespace strata::dashboard
