// InProcessCake: every controller of strata run in one process, layer by layer, without Kafka.
// Each controller is handed the paths of its input kinds that changed since it last ran, as the
// reconciler's events would name them; Settle repeats the rounds until no controller commits:
// what the running system converges to. `strata plan` runs it on a scratch copy of the branch,
// and tests and benchmarks run it on a fleet repo.
//
// It commits to `branch` of the repository it is given (with the controllers' own identities and
// trailers) and moves no other ref but the satellites' (the sync controller's). Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "reconciler/controller/runtime.h"
#include "reconciler/controllers/registry.h"

namespace strata::controllers {

class InProcessCake {
 public:
  // Every controller when `names` is empty. kNotFound when the repo cannot be opened or a name is
  // unknown.
  static Result<std::unique_ptr<InProcessCake>> Create(const std::string& repo,
                                                       const std::vector<std::string>& names = {},
                                                       const std::string& branch = "main",
                                                       const ControllerConfig& config = {});

  // The tree every controller has already seen: the first Step hands each only what changed
  // since it (by default, never run, each is handed every input file).
  void StartFrom(const git_oid& tree);

  // Runs rounds until a whole round makes no commit; returns the commits each controller made.
  // kAborted after `max_rounds` rounds that all committed (a controller that never settles).
  Result<std::map<std::string, int>> Settle(int max_rounds = 20);
  // One controller, on what changed for it since it last ran.
  Result<controller::BatchResult> Step(const std::string& name);

  controller::ControllerRuntime& runtime(const std::string& name);
  // The controllers, front layer first (the way changes flow).
  std::vector<std::string> names() const;
  // Every path some controller found invalid in the last Step that looked at it, with the
  // controller's name and the outcome (errors name file, line and field).
  struct Rejection {
    std::string controller;
    controller::Outcome outcome;
  };
  const std::map<std::string, Rejection>& rejections() const { return rejections_; }

 private:
  struct Member {
    std::unique_ptr<controller::ControllerRuntime> runtime;
    git_oid last_tree{};  // the head tree it last saw (zero: never)
    // Paths whose outcome asked to be looked at again later (a rollout waiting for the fleet):
    // handed again at the next Step that sees a new head. (Without a clock here, "later" is
    // "when something changed", so Settle still ends.)
    std::set<std::string> requeued;
  };
  InProcessCake(std::string repo, std::string branch)
      : repo_(std::move(repo)), branch_(std::move(branch)) {}
  Member* Find(const std::string& name);

  std::string repo_;
  std::string branch_;
  std::vector<Member> members_;  // front layer first
  std::map<std::string, Rejection> rejections_;
};

}  // namespace strata::controllers
