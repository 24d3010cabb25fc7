// DashboardServer: the dashboard's HTTP endpoint — the page (built into the binary from
// reconciler/dashboard/assets/), the JSON API (dashboard_api.h) and a stream of server-sent
// events (/api/events: `event: update`, data {"version", "head"}, whenever the status board or the
// branch head moves, coalesced to at most four a second; the stream ends after about 25 s and
// EventSource reconnects by itself, so no thread is held for long).
//
// Read-only: every method but GET and HEAD answers 405; changes go through pull requests.
// A token guards it when one is set, and one is always set when the host is not a loopback
// address (generated when not given): a request needs `Authorization: Bearer T` or the cookie
// (strata_dashboard_token_<port>) that `?token=T` sets, answered with a redirect to the same path
// without the token, so that the address people copy does not carry it; without, 401. The printed
// url() includes ?token= for the operator to open. Without a token, a request whose Host is not a
// loopback name gets 403 (a page elsewhere rebinding its name to 127.0.0.1). At most 8 event
// streams at once (503 beyond: the page polls); an idle stream pings every second, so a browser
// that has gone away frees its thread. SIGPIPE is ignored, process-wide.
//
// The caller owns the server; the api and state must outlive it. Destroying it joins its threads,
// waiting for each event stream's next ping (at most a second; at once after state.Stop()).
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

  int port() const { return port_.load(); }
  bool token_required() const { return !options_.token.empty(); }
  // "http://HOST:PORT/" plus "?token=T" when a token is required.
  std::string url() const;

 private:
  DashboardServer(const DashboardApi& api, const DashboardState& state);

  DashboardOptions options_;
  const DashboardApi& api_;
  const DashboardState& state_;
  std::string cookie_name() const;

  std::atomic<int> port_{0};
  std::atomic<int> streams_{0};  // event streams open
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace strata::dashboard
