// Plan: what a pull request would do downstream, layer by layer, before it is merged — the
// `terraform plan` of the fleet repo.
//
// The pull request's own changes (merge base → head) are applied on the base, as a merge would;
// then every controller runs in memory on that tree, in a scratch repository that borrows the
// fleet repository's objects, exactly as the running controllers would (the same code: the
// InProcessCake), until the cake settles. Nothing is committed to the fleet repository and
// nothing is published. The derived and satellite files that differ from the base are the plan.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/status.h"
#include "specs/node_diff.h"

namespace strata::plan {

struct PlanOptions {
  std::string repo = ".";     // a clone (or the bare fleet repo) that has both revisions
  std::string base;           // the branch the pull request merges into ("origin/main")
  std::string head = "HEAD";  // the pull request's head
  // Tests: keep every settled file under derived/ and satellites/ in PlanResult::settled_files.
  bool collect_settled_files = false;
};

// One derived or satellite file the pull request would change.
struct PlannedChange {
  enum class Action { kCreate, kUpdate, kDelete };
  Action action = Action::kUpdate;
  std::string path;                        // "derived/pkc/aws/us-west-2/pkc-1a2b3c.yaml"
  std::string controller;                  // the controller that owns the path
  int layer = 0;                           // its layer (1 = the front)
  std::string kind;                        // "PhysicalKafkaCluster"
  std::string name;                        // metadata.name
  std::string summary;                     // "+6 brokers on pkc-1a2b3c (6 → 12)"
  std::vector<specs::FieldChange> fields;  // annotations left out
};

// The changes of one satellite's slice, counted.
struct SatellitePlan {
  std::string satellite;
  int created = 0, updated = 0, deleted = 0;
};

// Something in the pull request that the control plane would refuse.
struct PlanProblem {
  std::string path;
  std::string key;         // the resource key when known
  std::string refused_by;  // "validation", "ownership" or a controller's name
  std::vector<EventError> errors;
};

struct PlanResult {
  std::string base;  // full commit ids
  std::string head;
  std::string merge_base;
  std::vector<std::string> changed_inputs;           // the people's files the pull request changes
  std::vector<PlannedChange> changes;                // by layer, then path
  std::vector<SatellitePlan> satellites;             // by satellite id
  std::vector<PlanProblem> problems;                 // by path
  std::map<std::string, int> layers;                 // controller → layer
  std::map<std::string, std::string> settled_files;  // collect_settled_files only
  double seconds = 0;
};

// kNotFound for an unknown revision or repository; kFailedPrecondition when the pull request and
// the base changed the same file since their merge base (rebase first), or share no history;
// kAborted when the controllers do not settle.
Result<PlanResult> Plan(const PlanOptions& options);

// 1 when something is invalid, 3 when something changes downstream, 0 when nothing does.
int PlanExitCode(const PlanResult& result);

}  // namespace strata::plan
