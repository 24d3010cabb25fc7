#include "tests/support/topic_reader.h"

#include <algorithm>

namespace strata::testing {

Result<std::vector<KafkaRecord>> ReadAllRecords(const std::string& bootstrap_servers,
                                                const std::string& topic_prefix,
                                                std::chrono::milliseconds timeout) {
  return ReadTopicSnapshot({{"bootstrap.servers", bootstrap_servers}}, topic_prefix, timeout);
}

Result<std::vector<ChangeEvent>> ReadAllChangeEvents(const std::string& bootstrap_servers) {
  ASSIGN_OR_RETURN(std::vector<KafkaRecord> records,
                   ReadAllRecords(bootstrap_servers, "strata.desired."));
  std::vector<ChangeEvent> events;
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(ChangeEvent e, DecodeCloudEvent(r.value));
    if (e.key != r.key) return Status::InvalidArgument("record key " + r.key + " is not " + e.key);
    if (r.topic != DesiredTopic(e.kind)) {
      return Status::InvalidArgument(e.key + " is on " + r.topic + ", not " + DesiredTopic(e.kind));
    }
    events.push_back(std::move(e));
  }
  std::stable_sort(events.begin(), events.end(), [](const ChangeEvent& a, const ChangeEvent& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.id() < b.id();
  });
  return events;
}

}  // namespace strata::testing
