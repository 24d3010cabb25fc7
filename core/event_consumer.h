// EventConsumer: the one way controllers, agents and the CLI read change events back from Kafka.
//
// It subscribes to the `strata.desired.<kind>` topics of the kinds it is given (all desired topics
// when none are), decodes each record as a CloudEvent, and hands out only events that are newer
// than anything it has seen for that key: a duplicate, a replay after a reconciler restart or an
// older state that arrives late is skipped, so a consumer never goes back to an older state of a
// key. It also keeps the latest desired state per key (upserts replace, deletes remove; a rejected
// event leaves the last good state in place and is kept beside it).
//
// With a `group_id` it joins that consumer group and commits offsets (a controller resumes where it
// stopped); without one it reads every partition from the beginning or the end and commits nothing
// (`strata events tail`). Not thread-safe: one thread calls Next.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/change_event.h"
#include "core/handles.h"
#include "core/kafka.h"
#include "core/status.h"

namespace strata {

struct EventConsumerOptions {
  KafkaProperties properties;      // bootstrap.servers and any other librdkafka property
  std::vector<std::string> kinds;  // "KafkaCluster", …; empty: every desired topic
  std::string group_id;            // empty: no group, no offset commits
  bool from_beginning = true;      // without a group: start at the oldest record, or the newest
  // Keep the latest state of every key in desired()/rejected() (a controller, which re-reads git,
  // turns this off to save the memory).
  bool keep_latest = true;
  // With a group: offsets are committed only up to what StoreConsumedOffsets marked, so records
  // handed out but not yet processed are read again after a crash (at least once).
  bool manual_offsets = false;
};

class EventConsumer {
 public:
  ~EventConsumer();
  // kInvalidArgument when librdkafka refuses a property.
  static Result<std::unique_ptr<EventConsumer>> Create(const EventConsumerOptions& options);

  // The next event newer than anything seen for its key, waiting at most `timeout`; nullopt when
  // none came. Records that are not valid change events are counted in malformed() and skipped.
  // kUnavailable when the consumer hit an error it cannot go on from.
  Result<std::optional<ChangeEvent>> Next(std::chrono::milliseconds timeout);

  // Marks every record handed out so far as processed: its offset is committed with the next
  // automatic commit. Only with manual_offsets.
  void StoreConsumedOffsets();

  // The newest upserted state of each key that is not deleted.
  const std::unordered_map<std::string, ChangeEvent>& desired() const { return desired_; }
  // The newest rejection of each key whose newest event is a rejection.
  const std::unordered_map<std::string, ChangeEvent>& rejected() const { return rejected_; }
  // The highest sequence seen for `key`; 0 when none.
  uint64_t SequenceOf(const std::string& key) const;

  // Records on the assigned partitions not yet consumed, from librdkafka's cached high watermarks
  // (no request to the broker); -1 when nothing is assigned or the watermarks are not known yet.
  int64_t Lag() const;

  size_t duplicates_skipped() const { return duplicates_skipped_; }
  size_t malformed() const { return malformed_; }

 private:
  EventConsumer(KafkaPtr handle, bool keep_latest)
      : handle_(std::move(handle)), keep_latest_(keep_latest) {}
  // True when `event` is newer than what we have for its key; then records it.
  bool Accept(const ChangeEvent& event);

  KafkaPtr handle_;
  bool keep_latest_ = true;
  // (topic, partition) → the offset after the last record handed out, not yet stored.
  std::map<std::pair<std::string, int32_t>, int64_t> consumed_;
  std::unordered_map<std::string, uint64_t> newest_sequence_;
  std::unordered_map<std::string, ChangeEvent> desired_;
  std::unordered_map<std::string, ChangeEvent> rejected_;
  size_t duplicates_skipped_ = 0;
  size_t malformed_ = 0;
};

}  // namespace strata
