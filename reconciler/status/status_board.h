// StatusBoard: the newest word on every key of `strata.status` — what agents observe
// (ResourceStatus) and which keys a controller has rejected and not yet accepted again. Status is
// level-based, so the newest record of a key is the whole truth about it and records can be
// applied in the order they were read, from the start of the topic.
//
// What `strata status` reads once (ReadStatusBoard) and the dashboard keeps up to date while it
// runs (core/status_follower). A plain value: not thread-safe; the dashboard guards its own.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "core/change_event.h"
#include "core/kafka.h"
#include "core/resource_status.h"
#include "core/status.h"

namespace strata::status {

struct StatusBoard {
  std::map<std::string, ResourceStatus> observed;  // by resource key
  std::map<std::string, ChangeEvent> rejected;     // by resource key: the rejection that holds

  // Applies one record's value. A rejection holds until the controller that made it accepts the
  // key again (once the file is fixed); another controller's acceptance leaves it. Returns whether
  // anything changed; a record that is neither (or does not decode) changes nothing.
  bool Apply(std::string_view value);
};

// Everything on strata.status now. kUnavailable when Kafka does not answer within `timeout`.
Result<StatusBoard> ReadStatusBoard(const KafkaProperties& kafka,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace strata::status
