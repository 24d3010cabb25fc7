// Synthetic fleets for tests and benchmarks: `strata gen fleet --clusters N --orgs M --seed S`.
// The same shape and seed always give the same tree (byte for byte). The fleet is valid: SKUs and
// satellites from the example fleet, orgs with quotas that fit, about one org in ten EU-resident
// (its clusters only in EU regions), a mix of basic, standard and dedicated clusters (20% dedicated unless told), and private
// networks for some dedicated ones. Objects are built in memory and written as one pack file, so
// 100,000 clusters take seconds, not the minutes that loose objects would.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace strata::examples {

struct FleetShape {
  int clusters = 1000;
  int orgs = 100;
  uint64_t seed = 7;
  // Dedicated clusters per hundred, in steps of ten (each gets a physical cluster of its own);
  // the others are basic, then standard, in the default mix's 5 to 3. 100: one physical cluster
  // per logical one, as the rollout benchmark wants.
  int dedicated_percent = 20;
};

// path → file content of the whole fleet.
std::map<std::string, std::string> GenerateFleetFiles(const FleetShape& shape);

struct GeneratedFleet {
  std::string commit;  // hex id
  size_t files = 0;
};

// Commits the generated fleet to `branch` of the repository at `repo_path` (created, bare or not,
// when missing; an existing branch gets the fleet as a new commit on top).
Result<GeneratedFleet> WriteFleetToRepo(const std::string& repo_path, const FleetShape& shape,
                                        const std::string& branch, bool bare);

}  // namespace strata::examples
