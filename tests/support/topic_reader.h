// Test helper: reads every record that is in Kafka now, in the topics whose names start with a
// prefix, from the beginning of each partition to its current end, without joining a consumer
// group (so without the mock cluster's 3 s group join). Decodes change events on request.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/change_event.h"
#include "core/status.h"
#include "core/topic_snapshot.h"

namespace strata::testing {

using ::strata::KafkaRecord;

Result<std::vector<KafkaRecord>> ReadAllRecords(const std::string& bootstrap_servers,
                                                const std::string& topic_prefix,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The change events of every strata.desired.* topic, ordered by sequence (then id). Records that
// do not decode fail the read (kInvalidArgument), since the reconciler must never write one.
Result<std::vector<ChangeEvent>> ReadAllChangeEvents(const std::string& bootstrap_servers);

}  // namespace strata::testing
