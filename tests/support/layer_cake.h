// LayerCake (test code only): every controller of strata run in-process, layer by layer, without
// Kafka — each controller is handed the paths of its input kinds that changed since it last ran
// (all of them the first time), as the reconciler's events would name them. Settle repeats the
// rounds until no controller commits: what the running system converges to.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "reconciler/controller/runtime.h"

namespace strata::testing {

class LayerCake {
 public:
  // kNotFound when the repo cannot be opened.
  static Result<std::unique_ptr<LayerCake>> Create(const std::string& repo,
                                                   const std::vector<std::string>& names = {});

  // Runs rounds until a whole round makes no commit; returns the commits each controller made.
  // kAborted after `max_rounds` rounds that all committed (a controller that never settles).
  Result<std::map<std::string, int>> Settle(int max_rounds = 20);
  // One controller, on what changed for it since it last ran.
  Result<controller::BatchResult> Step(const std::string& name);

  controller::ControllerRuntime& runtime(const std::string& name);

 private:
  struct Member {
    std::unique_ptr<controller::ControllerRuntime> runtime;
    std::string last_tree;  // the head tree it last saw ("" never)
  };
  explicit LayerCake(std::string repo) : repo_(std::move(repo)) {}
  std::string repo_;
  std::vector<Member> members_;  // front layer first
};

// The kind a fleet path holds: from the path, or for derived files from the document.
std::string KindOfPath(const std::string& path, const std::string& bytes);

}  // namespace strata::testing
