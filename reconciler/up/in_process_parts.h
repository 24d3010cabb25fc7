// InProcessParts: every part of `strata up` on threads of its process (the default).
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "agents/agent/agent.h"
#include "reconciler/controller/runtime.h"
#include "reconciler/up/parts.h"

namespace strata::up {

// Every part on threads of this process, sharing the endpoint of `ops`.
class InProcessParts : public Parts {
 public:
  InProcessParts(const Plan& plan, OpsServer* ops) : plan_(plan), ops_(ops) {}
  ~InProcessParts() override { Stop(); }

  Status StartReconciler() override;
  Status StartControllers() override;
  Status StartAgent(const std::string& satellite) override;
  // Sets every part's stop flag and joins their threads.
  void Stop() override;
  // A controller failed for good: strata up stops (a supervisor would restart the process).
  bool failed() const { return failed_.load(); }
  void Describe(std::FILE* out) const override;

 private:
  const Plan& plan_;
  OpsServer* ops_;
  std::atomic<bool> stop_{false};  // every part's; set by Stop
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> failed_{false};
  std::vector<std::unique_ptr<controller::ControllerRuntime>> controllers_;
  std::vector<std::unique_ptr<agent::Agent>> agents_;
  std::vector<std::string> satellites_;
  std::vector<std::thread> threads_;
};

}  // namespace strata::up
