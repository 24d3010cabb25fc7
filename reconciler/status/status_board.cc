#include "reconciler/status/status_board.h"

#include <vector>

#include "core/topic_snapshot.h"

namespace strata::status {

bool StatusBoard::Apply(std::string_view value) {
  if (Result<ResourceStatus> s = DecodeResourceStatus(value); s.ok()) {
    std::string key = s->key;
    observed[key] = std::move(*s);
    return true;
  }
  Result<ChangeEvent> e = DecodeCloudEvent(value);
  if (!e.ok()) return false;
  if (e->type == ChangeType::kRejected) {
    std::string key = e->key;
    rejected[key] = std::move(*e);
    return true;
  }
  if (e->type == ChangeType::kAccepted) {
    auto it = rejected.find(e->key);
    if (it != rejected.end() && it->second.controller == e->controller) {
      rejected.erase(it);
      return true;
    }
  }
  return false;
}

Result<StatusBoard> ReadStatusBoard(const KafkaProperties& kafka,
                                    std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(std::vector<KafkaRecord> records,
                   ReadTopicSnapshot(kafka, std::string(kStatusTopic), timeout));
  StatusBoard board;
  for (const KafkaRecord& r : records) board.Apply(r.value);
  return board;
}

}  // namespace strata::status
