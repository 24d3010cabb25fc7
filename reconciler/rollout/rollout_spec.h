// RolloutSpec: a `Rollout` (rollouts/<name>.yaml) as the rollout controller reads it — what
// changes, on which clusters, in which waves, and whether people have paused, aborted or approved
// it. ParseRolloutSpec takes a document that already passed its JSON Schema and checks what the
// schema cannot: unique wave names, approved waves that exist. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/status.h"
#include "specs/node.h"

namespace strata::rollout {

// {clouds?, regions?, skus?, orgs?, labels?}: every list given narrows (any of its items
// matches); labels must all match. Empty matches everything.
struct Selector {
  std::set<std::string> clouds, regions, skus, orgs;
  std::map<std::string, std::string> labels;
};

// A count, or a share of a total ("25%").
struct Amount {
  int64_t count = 0;
  int percent = -1;  // >= 0: a share
  // The count this amount stands for out of `total`: shares round up when `round_up`, else down.
  int64_t Of(int64_t total, bool round_up) const;
  std::string ToString() const;
};

struct Wave {
  std::string name;
  Selector selector;
  int percent = 100;      // of what is left that its selector matches
  Amount max_concurrent;  // at least one cluster at a time once resolved
  int64_t soak_ms = 0;
  Amount max_failures;  // absent: 0
  bool requires_approval = false;
};

// The settings a rollout changes (and a target records).
struct Settings {
  std::string kafka_version;                  // "" unchanged
  std::map<std::string, std::string> config;  // broker settings set
  bool operator==(const Settings&) const = default;
};

enum class RequestedState { kRunning, kPaused, kAborted };

struct RolloutSpec {
  std::string name;
  std::string path;  // rollouts/<name>.yaml
  Settings change;
  Selector selector;
  std::vector<Wave> waves;
  RequestedState state = RequestedState::kRunning;
  std::set<std::string> approved_waves;
  int64_t acknowledged_failures = 0;
};

// kInvalidArgument is not returned: problems come back as errors naming the file, line and
// field (empty when the spec is good).
struct ParsedRollout {
  RolloutSpec spec;
  std::vector<EventError> errors;
};
ParsedRollout ParseRolloutSpec(const std::string& path, const specs::Node& doc);

// "change kafkaVersion → 3.8, config log.retention.ms=…": one line for people.
std::string DescribeChange(const Settings& change);

}  // namespace strata::rollout
