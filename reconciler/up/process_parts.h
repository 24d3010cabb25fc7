// ProcessParts: every part of `strata up --separate-processes` a `strata` process of its own,
// started with the same options a deployment would give it, supervised (see supervisor.h), each
// serving its own /metrics, /healthz and /readyz on a port of its own (the ports after up's, or
// free ones when up's is 0), which up's /readyz asks in turn.
#pragma once

#include <string>
#include <vector>

#include "reconciler/up/parts.h"
#include "reconciler/up/supervisor.h"

namespace strata::up {

// Every part a `strata` process of its own, supervised; `ops` checks their /readyz.
class ProcessParts : public Parts {
 public:
  ProcessParts(const Plan& plan, OpsServer* ops) : plan_(plan), ops_(ops) {
    next_port_ = plan.options.port == 0 ? 0 : plan.options.port + 1;
  }

  Status StartReconciler() override;
  Status StartControllers() override;
  Status StartAgent(const std::string& satellite) override;
  void Tick() override { supervisor_.Tick(); }
  void Stop() override { supervisor_.StopAll(std::chrono::seconds(10)); }
  void Describe(std::FILE* out) const override;

 private:
  // Starts `strata <args> --kafka … --ops-listen 127.0.0.1:PORT`, logging to <logs>/<log_name>.log,
  // and makes up's /readyz ask the child's.
  Status Start(const std::string& name, const std::string& log_name, std::vector<std::string> args);

  const Plan& plan_;
  OpsServer* ops_;
  int next_port_ = 0;
  Supervisor supervisor_;
};

}  // namespace strata::up
