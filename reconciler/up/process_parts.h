// ProcessParts: every part of `strata up --separate-processes` a `strata` process of its own,
// started with the same options a deployment would give it, supervised (see supervisor.h), each
// serving its own /metrics, /healthz and /readyz on a port of its own (the ports after up's, or
// free ones, fresh at every restart, when up's is 0). A thread asks each child's /readyz once a
// second; up's own /readyz reports what it last heard, so a slow child never slows a probe of up.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reconciler/up/parts.h"
#include "reconciler/up/supervisor.h"

namespace strata::up {

// Every part a `strata` process of its own, supervised; `ops` checks their /readyz.
class ProcessParts : public Parts {
 public:
  ProcessParts(const Plan& plan, OpsServer* ops);
  ~ProcessParts() override;

  Status StartReconciler() override;
  Status StartControllers() override;
  Status StartAgent(const std::string& satellite) override;
  void Tick() override { supervisor_.Tick(); }
  void Stop() override;
  void Describe(std::FILE* out) const override;

 private:
  // Starts `strata <args> --kafka … --ops-listen 127.0.0.1:PORT`, logging to <logs>/<log_name>.log,
  // and makes up's /readyz ask the child's.
  Status Start(const std::string& name, const std::string& log_name, std::vector<std::string> args);

  // What the prober thread last heard from one child.
  struct Probe {
    std::string name;
    std::atomic<int> port{0};
    std::mutex mu;
    Status last = Status::Unavailable("not asked yet");
  };
  void ProbeLoop();

  const Plan& plan_;
  OpsServer* ops_;
  int next_port_ = 0;
  Supervisor supervisor_;
  std::mutex probes_mu_;
  std::vector<std::shared_ptr<Probe>> probes_;
  std::atomic<bool> stop_probing_{false};
  std::thread prober_;
};

}  // namespace strata::up
