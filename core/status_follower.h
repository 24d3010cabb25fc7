// StatusFollower: reads strata.status from the start of every partition and keeps reading, without
// joining a consumer group (no group join's seconds, no offsets to commit: a follower that starts
// again reads everything again, which is what a level-based reader of status wants). Calls
// `on_status` for each agent status (controllers' rejection events on the same topic are
// skipped). The topic may not exist yet: it is looked for again until it does.
// Used by the controller runtime for controllers that follow status (the rollout controller).
// Run blocks until `stop` is set; kInvalidArgument for a bad Kafka property.
#pragma once

#include <atomic>
#include <functional>
#include <string_view>

#include "core/change_event.h"  // kStatusTopic
#include "core/kafka.h"
#include "core/resource_status.h"
#include "core/status.h"

namespace strata {

Status FollowStatus(const KafkaProperties& kafka, const std::atomic<bool>& stop,
                    const std::function<void(const ResourceStatus&)>& on_status);

// The same for every record's value as it is, agents' reports and controllers' rejections alike
// (what the dashboard's StatusBoard applies). `on_caught_up` runs once, when every partition has
// been read to the end it had: from then on the reader knows all that was reported before.
Status FollowStatusRecords(const KafkaProperties& kafka, const std::atomic<bool>& stop,
                           const std::function<void(std::string_view value)>& on_record,
                           const std::function<void()>& on_caught_up = {});

}  // namespace strata
