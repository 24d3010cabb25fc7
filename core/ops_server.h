// OpsServer: the operator's HTTP endpoint that every long-running strata process serves.
//
//   GET /metrics  200, the registry in the Prometheus text format 0.0.4.
//   GET /healthz  200 "ok\n" when every liveness check returns OK; otherwise 503 with one line
//                 "name: message" per failing check, in the order the checks were added.
//   GET /readyz   the same for the readiness checks. No checks means healthy (ready).
//   anything else 404 "not found\n", including other methods on these paths.
//
// Liveness says "restart me" (a wedged loop); readiness says "do not count on me yet" (still
// catching up, Kafka unreachable). Checks run on the server's threads for every request, without
// any lock held, so they must be cheap and thread-safe; one that throws counts as failing. A check
// added under a name already used replaces the earlier one.
//
// The caller owns the OpsServer; the registry and whatever the checks use must outlive it.
// Destroying it stops serving and joins its threads. Adding checks is thread-safe at any time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"

namespace httplib {
class Server;
}

namespace strata {

struct OpsOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port, see OpsServer::port()
};

class OpsServer {
 public:
  using Check = std::function<Status()>;

  // Binds and starts serving. kInvalidArgument for a port outside 0..65535; kUnavailable
  // "cannot listen on HOST:PORT: <reason>" when the address cannot be bound (port taken, no such
  // host). The port is never shared: a second process asking for it gets kUnavailable.
  static Result<std::unique_ptr<OpsServer>> Start(OpsOptions options, metrics::Registry& registry);
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  int port() const { return port_; }
  // "http://HOST:PORT" (an IPv6 host in brackets).
  std::string url() const;

  void AddReadinessCheck(std::string name, Check check);
  void AddLivenessCheck(std::string name, Check check);

 private:
  using NamedChecks = std::vector<std::pair<std::string, Check>>;

  OpsServer() = default;
  static void AddCheck(std::mutex& mu, NamedChecks& checks, std::string name, Check check);
  // {200, "ok\n"} or {503, the failing checks}.
  static std::pair<int, std::string> RunChecks(std::mutex& mu, const NamedChecks& checks);

  OpsOptions options_;
  int port_ = 0;
  std::mutex checks_mu_;
  NamedChecks readiness_;  // guarded by checks_mu_
  NamedChecks liveness_;   // guarded by checks_mu_
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace strata
