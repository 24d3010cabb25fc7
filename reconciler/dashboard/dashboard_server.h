// DashboardServer: the dashboard's HTTP endpoint — the page (built into the binary from
// reconciler/dashboard/assets/), the JSON API (dashboard_api.h) and a stream of server-sent
// events (/api/events: `event: update`, data {"version", "head"}, whenever the status board or the
// branch head moves, coalesced to at most four a second; the stream ends after about 25 s and
// EventSource reconnects by itself, so no thread is held for long).
//
// Read-only: every method but GET and HEAD answers 405; changes go through pull requests.
// A token guards it when one is set, and one is always set when the host is not a loopback
// address (generated when not given): a request needs `Authorization: Bearer T`, the cookie the
// server sets, or `?token=T` (which sets the cookie, so the page's own requests carry it);
// without, 401. The printed url() includes ?token= for the operator to open.
//
// The caller owns the server; the api and state must outlive it. Destroying it ends the event
// streams and joins its threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "reconciler/dashboard/dashboard_api.h"
#include "reconciler/dashboard/dashboard_state.h"

namespace httplib {
class Server;
}

namespace strata::dashboard {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 7080;    // 0 picks a free port
  std::string token;  // "" : none on loopback, a generated one elsewhere
};

// Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(const std::string& host);

class DashboardServer {
 public:
  // kInvalidArgument for a port outside 0..65535; kUnavailable "cannot listen on HOST:PORT:
  // <reason>" when the address cannot be bound.
  static Result<std::unique_ptr<DashboardServer>> Start(DashboardOptions options,
                                                        const DashboardApi& api,
                                                        const DashboardState& state);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  int port() const { return port_; }
  bool token_required() const { return !options_.token.empty(); }
  // "http://HOST:PORT/" plus "?token=T" when a token is required.
  std::string url() const;

 private:
  DashboardServer(const DashboardApi& api, const DashboardState& state);

  DashboardOptions options_;
  const DashboardApi& api_;
  const DashboardState& state_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace strata::dashboard
