// What a running `strata up` wrote in <home>/up.json for other commands (`strata status --up`,
// `strata dashboard --up`): where its fleet repository and Kafka are.
#pragma once

#include <string>

#include "core/status.h"

namespace strata::cli {

struct UpState {
  std::string fleet_repo;
  std::string kafka;         // bootstrap servers
  std::string kafka_config;  // "" when none
  std::string branch;
};

// kNotFound "<home>/up.json is missing or unreadable: is strata up running there?";
// kFailedPrecondition when the strata up that wrote it is no longer running (its Kafka is gone).
Result<UpState> ReadUpState(const std::string& home);

}  // namespace strata::cli
