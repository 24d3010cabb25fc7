// ChangeEvent: one change of one resource on the fleet branch, as the reconciler publishes it on
// `strata.desired.<kind>` and every consumer (controllers, agents, the CLI) reads it back.
//
// On the wire it is a CloudEvents 1.0 structured-mode JSON document (content type
// application/cloudevents+json): `id` = "<commit>:<path>", `type` = dev.strata.resource.upserted |
// .deleted | .rejected | .accepted, `subject` = the resource key, `time` = the commit time, and `data` holding
// the full desired document plus where it came from (commit, parent, author, the per-branch
// sequence number, the commit's Strata-Controller / Strata-Cause trailers). Full state, never a
// delta, so a consumer that sees only the newest event of a key has all it needs.
//
// Ordering: `sequence` grows along the branch and across force pushes; a consumer keeps, per key,
// the event with the highest sequence and ignores anything older or equal (a replay).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata {

// kAccepted is only ever on strata.status: a controller that rejected a resource says it takes
// it again (the file was fixed). It carries no document; status drops that controller's rejection.
enum class ChangeType { kUpserted, kDeleted, kRejected, kAccepted };

// "dev.strata.resource.upserted" and back; nullopt-like kInvalidArgument for anything else.
std::string_view ChangeTypeName(ChangeType type);
Result<ChangeType> ParseChangeType(std::string_view name);

// One problem that made a file a `rejected` event: where, which field, what is wrong.
struct EventError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string field;
  std::string message;
};

struct ChangeEvent {
  ChangeType type = ChangeType::kUpserted;
  std::string key;     // "KafkaCluster/acme/orders"
  std::string kind;    // "KafkaCluster"
  std::string path;    // "tenants/acme/kafka/orders.yaml"
  std::string source;  // CloudEvents source: "/strata/fleet/main"
  std::string branch;
  std::string commit;  // the commit this state comes from (hex)
  std::string parent;  // the commit it was diffed against; empty for a bootstrap
  std::string author;  // "Name <email>"
  std::string time;    // commit time, RFC 3339 in UTC
  uint64_t sequence = 0;
  std::string controller;           // Strata-Controller trailer; empty for people's commits
  std::vector<std::string> causes;  // Strata-Cause trailers
  nlohmann::json spec;              // upserted: the whole document; otherwise null
  std::vector<EventError> errors;   // rejected: why

  std::string id() const { return commit + ":" + path; }
};

// "strata.desired.kafkacluster": the topic of a kind.
std::string DesiredTopic(std::string_view kind);
inline constexpr std::string_view kStatusTopic = "strata.status";

// The CloudEvents JSON of `event`; deterministic (same event, same bytes).
std::string EncodeCloudEvent(const ChangeEvent& event);
// Parses what EncodeCloudEvent wrote (or any producer that follows the same contract).
// kInvalidArgument naming the first attribute that is missing or of the wrong type.
Result<ChangeEvent> DecodeCloudEvent(std::string_view json);

// Seconds since the epoch to "2026-11-22T04:02:00Z".
std::string FormatRfc3339Utc(int64_t seconds);

}  // namespace strata
