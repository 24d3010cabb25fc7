// The part of `strata status` that joins git with what agents report on strata.status: the fleet
// by phase, one logical cluster down the layers, and where one commit's change has got to.
#pragma once

#include <string>

#include "core/kafka.h"

namespace strata::cli {

struct LiveStatusRequest {
  std::string repo;
  std::string branch;
  KafkaProperties kafka;
  std::string key;     // a logical resource key; empty for the fleet or a commit
  std::string commit;  // a fleet commit; empty for the fleet or a key
  bool json = false;
};

// Prints the answer; returns the process exit code (0, or 2 when git or Kafka cannot be read or
// the key or commit does not exist).
int ShowLive(const LiveStatusRequest& request);

}  // namespace strata::cli
