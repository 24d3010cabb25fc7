// Test and benchmark helper: whether every controller of strata has done all it was sent — each
// controller's consumer group ("strata-controller-<name>") has committed offsets at the end of
// every partition of its input topics. Controllers store offsets only once the events are
// reconciled, so caught up means nothing is in flight (up to the consumer's auto-commit interval).
#pragma once

#include <string>
#include <vector>

#include "core/kafka.h"

namespace strata::testing {

class ControllerLag {
 public:
  // Every controller's group, or only those of `names`.
  explicit ControllerLag(const std::string& bootstrap_servers,
                         const std::vector<std::string>& names = {});
  // False while any group is behind, or an offset cannot be read.
  bool CaughtUp();

 private:
  struct Group {
    std::vector<std::string> topics;
    KafkaPtr handle;
  };
  std::vector<Group> groups_;
};

}  // namespace strata::testing
