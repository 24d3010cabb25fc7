// ResourceStatus: what an agent observes of one resource on its satellite, as published on
// `strata.status` (keyed by the resource key) and read back by `strata status`.
//
// On the wire it is a CloudEvents 1.0 structured JSON event of type dev.strata.status.observed,
// subject the key, time when it was observed, and `data` holding the fields below. Status is
// level-based like desired state: the newest event of a key is the whole truth about it.
// (strata.status also carries the controllers' `dev.strata.resource.rejected` events; readers
// tell the two apart by IsResourceStatus.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata {

inline constexpr std::string_view kStatusObservedType = "dev.strata.status.observed";

struct StatusCondition {
  std::string type;    // "Healthy", "Applied", "Drift", "Signature"
  bool status = true;
  std::string reason;  // "BrokerUnhealthy", "Retrying", "SliceRefused", …
  std::string message;
};

struct ResourceStatus {
  std::string key;           // "PhysicalKafkaCluster/pkc-acme-orders", "Satellite/aws-us-west-2-1"
  std::string satellite;
  std::string k8s_cluster;
  std::string source;        // the derived file on the fleet branch it realises
  std::string slice_commit;  // the satellite commit whose desired state this is about
  std::string fleet_commit;  // the fleet commit that slice was cut from (its Strata-Cause)
  std::string computed_at;   // the fleet commit the resource's controller computed it at
  std::string release;       // the strata.dev/release annotation of the applied document, if any
  std::string phase;         // Pending | Provisioning | Ready | Degraded | Failed | Deleting | Deleted
  int brokers_ready = 0;
  int brokers_desired = 0;
  int brokers_updated = 0;  // brokers ready on the desired version and config (a roll's progress)
  std::string version;
  std::string endpoint;
  std::vector<StatusCondition> conditions;
  std::string observed_at;   // RFC 3339 UTC with milliseconds
  std::string reporter;      // "agent/aws-us-west-2-1"
  int resources = 0;         // Satellite/<id> only: resources in the applied slice
};

// Deterministic JSON of the CloudEvent.
std::string EncodeResourceStatus(const ResourceStatus& status);
// kInvalidArgument naming what is missing; kNotFound when it is another kind of event.
Result<ResourceStatus> DecodeResourceStatus(std::string_view json);

// Now, as "2026-11-23T10:02:03.123Z".
std::string NowRfc3339Millis();

}  // namespace strata
